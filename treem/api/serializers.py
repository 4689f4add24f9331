from rest_framework import serializers

from treem.accounts.models import Agency, AgencySuccession
from treem.geo.models import Unit
from treem.geo.selectors import converted


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None, allow_null=True)
    province_code = serializers.CharField(source="province.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Unit
        fields = ["id", "system", "level", "code", "name", "kind", "parent_code", "province_code", "valid_from",
                  "valid_to"]


class UnitDetailSerializer(UnitSerializer):
    became = serializers.SerializerMethodField()
    needs_decision = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "became", "needs_decision"]

    def _conversion(self, unit):
        return converted(unit) if unit.system == "legacy" else None

    def get_became(self, unit) -> list[dict]:
        conversion = self._conversion(unit)
        return [{"code": u.code, "name": u.name, "level": u.level} for u in conversion.targets] if conversion else []

    def get_needs_decision(self, unit) -> bool:
        conversion = self._conversion(unit)
        return bool(conversion and conversion.needs_decision)


class SuccessionSerializer(serializers.ModelSerializer):
    successor = serializers.PrimaryKeyRelatedField(read_only=True)
    successor_name = serializers.CharField(source="successor.name", read_only=True)

    class Meta:
        model = AgencySuccession
        fields = ["successor", "successor_name", "effective", "functions"]


class AgencySerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province.code", read_only=True, default=None, allow_null=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True, default=None, allow_null=True)
    succeeded_by = SuccessionSerializer(many=True, read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "kind", "province_code", "unit_code", "parent", "valid_from",
                  "valid_to", "succeeded_by"]


class GrantSerializer(serializers.Serializer):
    role = serializers.CharField()
    national = serializers.BooleanField()
    province_id = serializers.IntegerField(allow_null=True)
    commune_id = serializers.IntegerField(allow_null=True)
    agency_id = serializers.IntegerField(allow_null=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    grants = GrantSerializer(many=True)
    capabilities = serializers.ListField(child=serializers.CharField())
