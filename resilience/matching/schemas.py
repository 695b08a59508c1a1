import marshmallow as ma

from resilience.dispatch.schemas import TaskSchema


class MatchRequestSchema(ma.Schema):
    max_distance_m = ma.fields.Float(allow_nan=False, metadata={"description": "default 8000"})


class ProposedTaskSchema(TaskSchema):
    need = ma.fields.Function(lambda t: {
        "id": t.need.id, "category": t.need.category, "priority": t.need.priority,
        "household_id": t.need.household_id, "required_skill": t.need.required_skill,
        "admin_area": {"code": t.need.household.admin_area.code, "name": t.need.household.admin_area.name}
        if t.need.household.admin_area else None,
    })
    volunteer = ma.fields.Function(lambda t: {"id": t.volunteer.id, "name": t.volunteer.name,
                                              "skills": t.volunteer.skills})


class MatchSummarySchema(ma.Schema):
    needs = ma.fields.Integer()
    volunteers = ma.fields.Integer()
    served = ma.fields.Integer()
    priority_served = ma.fields.Integer()
    total_distance_m = ma.fields.Float()
    seconds = ma.fields.Float()
    max_distance_m = ma.fields.Float()


class ProposalSchema(ma.Schema):
    tasks = ma.fields.List(ma.fields.Nested(ProposedTaskSchema))
    unassigned = ma.fields.Function(lambda p: [
        {"need_id": n.id, "category": n.category, "priority": n.priority, "household_id": n.household_id}
        for n in p.unassigned
    ])
    summary = ma.fields.Nested(MatchSummarySchema)


class DispatchRequestSchema(ma.Schema):
    task_ids = ma.fields.List(ma.fields.Integer(), validate=ma.validate.Length(min=1),
                              metadata={"description": "omit to confirm every proposed task"})


class DispatchResultSchema(ma.Schema):
    offered = ma.fields.List(ma.fields.Nested(ProposedTaskSchema))
    skipped = ma.fields.List(ma.fields.Dict())
