"""The register's child page shows that a case exists only to those who may open the case."""


def test_assigned_worker_sees_the_case_on_the_child_page(client, new_case, worker_x):
    case = new_case()
    child = case.case_children.get().child
    client.force_login(worker_x)
    page = client.get(f"/children/{child.pk}/").content.decode()
    assert case.reference in page and f"/cases/{case.pk}/" in page
    assert "Hồ sơ bảo vệ trẻ em" in page


def test_leader_sees_the_child_but_not_that_a_case_exists(client, new_case, leader_lai_chau):
    case = new_case()
    child = case.case_children.get().child
    client.force_login(leader_lai_chau)
    response = client.get(f"/children/{child.pk}/")
    assert response.status_code == 200
    assert case.reference not in response.content.decode()
