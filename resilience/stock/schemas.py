import marshmallow as ma

from resilience.core.invalid import InvalidValue
from resilience.core.schemas import AreaRefSchema, PersonalString, PointField, Text, UTCDateTime, VulnerableCount
from resilience.stock.units import number, parse_decimal
from resilience.vocabulary import DEPOT_KINDS, ITEM_CATEGORIES, MOVEMENT_KINDS, UNITS

REQUEST_KINDS = ("receipt", "issue", "transfer", "adjustment")
_NUMBER = {"type": "number"}


class QuantityField(ma.fields.Field):
    """A JSON number, read exactly (0.1 stays 0.1) as a Decimal; the unit's decimals are checked
    by the operation, which knows the item."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_decimal(value)
        except InvalidValue as exc:
            raise ma.ValidationError(exc.message) from exc


def _milli(attribute: str):
    return ma.fields.Function(lambda obj: number(_get(obj, attribute)), metadata=_NUMBER)


def _get(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


# --- depots and items ----------------------------------------------------------------------
class DepotCreateSchema(ma.Schema):
    name = Text(required=True, max_length=200, blank=False)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(DEPOT_KINDS))
    address = Text(max_length=500)
    location = PointField(required=True)


class DepotRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()


class DepotSchema(DepotRefSchema):
    address = ma.fields.String()
    location = PointField()
    admin_area = ma.fields.Nested(AreaRefSchema, allow_none=True)
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class DepotQuery(ma.Schema):
    kind = ma.fields.String(validate=ma.validate.OneOf(DEPOT_KINDS))
    area = ma.fields.String(metadata={"description": "kelurahan (or kecamatan) code, e.g. 62.71.05.1004"})
    event = ma.fields.Integer(metadata={"description": "depots serving the event: inside its affected area or kelurahan"})


class ItemCreateSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                            metadata={"description": "capitals, digits and _, e.g. BERAS, AIR_MINUM"})
    name = Text(required=True, max_length=200, blank=False)
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf(tuple(UNITS)))
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(ITEM_CATEGORIES))


class ItemRefSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    category = ma.fields.String()


class ItemSchema(ItemRefSchema):
    id = ma.fields.Integer()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class ItemQuery(ma.Schema):
    category = ma.fields.String(validate=ma.validate.OneOf(ITEM_CATEGORIES))
    q = ma.fields.String(metadata={"description": "search in code and name"})


class BalanceSchema(ma.Schema):
    depot = ma.fields.Nested(DepotRefSchema)
    item = ma.fields.Nested(ItemRefSchema)
    quantity = _milli("quantity_milli")
    updated_at = UTCDateTime()


# --- movements -----------------------------------------------------------------------------
class MovementCreateSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(REQUEST_KINDS),
                            metadata={"description": "a transfer writes a transfer_out and a transfer_in"})
    depot_id = ma.fields.Integer(required=True, metadata={"description": "the depot (the sending one for a transfer)"})
    to_depot_id = ma.fields.Integer(metadata={"description": "transfer only: the receiving depot"})
    item_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    quantity = QuantityField(required=True, metadata={
        "type": "number", "description": "in the item's unit; kg and l up to 3 decimals, pcs and paket whole; "
        "an adjustment is negative to remove"})
    unit = ma.fields.String(validate=ma.validate.OneOf(tuple(UNITS)),
                            metadata={"description": "optional; when given it must be the item's unit"})
    donor = Text(max_length=200, metadata={"description": "receipt: who gave it"})
    reason = Text(max_length=500, metadata={"description": "adjustment: required; issue: the recipient when not a household"})
    notes = Text(max_length=1000)
    household_id = ma.fields.Integer(metadata={"description": "issue: the household receiving the aid"})
    task_id = ma.fields.Integer(metadata={"description": "issue: the task the aid was handed over on"})
    event_id = ma.fields.Integer(metadata={"description": "issue: the flood event (derived from task_id when omitted)"})
    double_aid_window_hours = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=720),
        metadata={"description": "issue: warn when the household got the same item category within this many hours (default 72; 0 = off)"},
    )


class HouseholdRefSchema(ma.Schema):
    """A household in stock answers: no personal data (no NIK, KK number, phone, address)."""

    id = ma.fields.Integer()
    head_name = PersonalString()
    admin_area = ma.fields.Nested(AreaRefSchema, allow_none=True)


class MovementSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(MOVEMENT_KINDS)})
    depot = ma.fields.Nested(DepotRefSchema)
    item = ma.fields.Nested(ItemRefSchema)
    quantity = ma.fields.Function(
        lambda m: number(m.quantity_milli if m.kind == "adjustment" else abs(m.quantity_milli)),
        metadata={"type": "number", "description": "as recorded (an adjustment keeps its sign)"},
    )
    change = ma.fields.Function(lambda m: number(m.quantity_milli),
                                metadata={"type": "number", "description": "what it did to the depot's balance"})
    counterpart_depot = ma.fields.Nested(DepotRefSchema, allow_none=True,
                                         metadata={"description": "the other depot of a transfer"})
    transfer_ref = ma.fields.String(allow_none=True)
    donor = ma.fields.String()
    reason = PersonalString()
    notes = PersonalString()
    event_id = ma.fields.Integer(allow_none=True)
    household = ma.fields.Nested(HouseholdRefSchema, allow_none=True)
    task_id = ma.fields.Integer(allow_none=True)
    actor = ma.fields.String()
    created_at = UTCDateTime()


class RecordedSchema(ma.Schema):
    movements = ma.fields.List(ma.fields.Nested(MovementSchema))
    balances = ma.fields.List(ma.fields.Nested(BalanceSchema), metadata={"description": "the balances after it"})
    warnings = ma.fields.List(ma.fields.Dict(), metadata={"description": "e.g. double aid: {code, message, movement_ids}"})


class MovementQuery(ma.Schema):
    depot = ma.fields.Integer()
    item = ma.fields.String(metadata={"description": "item code"})
    kind = ma.fields.String(validate=ma.validate.OneOf(MOVEMENT_KINDS))
    event = ma.fields.Integer()
    household = ma.fields.Integer()
    transfer_ref = ma.fields.String()


class LedgerCheckSchema(ma.Schema):
    ok = ma.fields.Boolean()
    balances = ma.fields.Integer()
    movements = ma.fields.Integer()
    mismatches = ma.fields.List(ma.fields.Dict())
    unpaired_transfers = ma.fields.List(ma.fields.Dict())


# --- distributions and needs ---------------------------------------------------------------
class DistributionQuery(ma.Schema):
    household = ma.fields.Integer()
    item = ma.fields.String(metadata={"description": "item code"})
    depot = ma.fields.Integer()


class WithoutAidQuery(ma.Schema):
    category = ma.fields.String(validate=ma.validate.OneOf(ITEM_CATEGORIES),
                                metadata={"description": "households that received nothing of this item category"})


class HouseholdWithoutAidSchema(HouseholdRefSchema):
    members = ma.fields.Integer()
    vulnerable = VulnerableCount(attribute="vulnerable_count")


class NeedsEstimateQuery(ma.Schema):
    days = ma.fields.Integer(load_default=7, validate=ma.validate.Range(min=1, max=90))
    profile = ma.fields.String(metadata={"description": "one profile (bnpb, sphere); all when omitted"})


class EstimateLineSchema(ma.Schema):
    key = ma.fields.String()
    label = ma.fields.String()
    unit = ma.fields.String()
    basis = ma.fields.String()
    item_codes = ma.fields.List(ma.fields.String())
    needed = ma.fields.Raw(metadata=_NUMBER)
    needed_for_pregnant_or_lactating = ma.fields.Raw(metadata=_NUMBER)
    available = ma.fields.Raw(allow_none=True, metadata=_NUMBER)
    shortfall = ma.fields.Raw(allow_none=True, metadata=_NUMBER)
    ignored_items = ma.fields.List(ma.fields.Dict())


class ProfileEstimateSchema(ma.Schema):
    key = ma.fields.String()
    name = ma.fields.String()
    source = ma.fields.String()
    lines = ma.fields.List(ma.fields.Nested(EstimateLineSchema))


class NeedsEstimateSchema(ma.Schema):
    event = ma.fields.Dict()
    days = ma.fields.Integer()
    households = ma.fields.Integer()
    people = ma.fields.Integer()
    pregnant_or_lactating = ma.fields.Integer()
    people_rule = ma.fields.String()
    depots = ma.fields.List(ma.fields.Nested(DepotRefSchema), metadata={"description": "the depots whose stock counts"})
    profiles = ma.fields.List(ma.fields.Nested(ProfileEstimateSchema))
