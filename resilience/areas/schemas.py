import marshmallow as ma

from resilience.core.schemas import AreaField, PointField


class AdminAreaSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String()
    name = ma.fields.String()
    level = ma.fields.String()
    parent_code = ma.fields.Function(lambda a: a.parent.code if a.parent else None)
    centroid = PointField()


class AdminAreaDetailSchema(AdminAreaSchema):
    boundary = AreaField()


class AreaQuery(ma.Schema):
    level = ma.fields.String()
    parent = ma.fields.String(metadata={"description": "parent code, e.g. 62.71.05"})
