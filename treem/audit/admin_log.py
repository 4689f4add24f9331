"""Django admin writes bypass the services, so each admin log entry is mirrored into the one audit log."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import AuditEvent

VERBS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


@receiver(post_save, sender=LogEntry)
def mirror_admin_action(sender, instance: LogEntry, created: bool, **kwargs):
    if not created:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    AuditEvent.objects.create(
        actor_id=instance.user_id,
        actor_label=instance.user.get_username(),
        action=f"admin.{VERBS.get(instance.action_flag, 'other')}",
        object_type=model._meta.label_lower if model else "",
        object_id=str(instance.object_id or ""),
        object_repr=instance.object_repr[:200],
        summary={"message": instance.get_change_message()},
    )
