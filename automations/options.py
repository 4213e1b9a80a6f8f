"""A workspace's pipelines, stages, tags, members, sequences and email templates, as builder
options and names."""

from functools import cached_property

from outreach.mail.selectors import shared_template_choices
from outreach.models import (
    EmailTemplate,
    Membership,
    Pipeline,
    SequenceTemplate,
    Tag,
    Workspace,
)

Choices = list[tuple[int, str]]


class WorkspaceOptions:
    """What a rule can point at in one workspace: offered as select options by the builder, and
    named by the sentences that describe a rule.

    Each kind is read once, on first use, so a page costs the same few queries however many
    rules and steps it shows, and a page that names no tag never reads the tags.
    """

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self._names: dict[str, dict[int, str]] = {}

    # --- select options ----------------------------------------------------------------------

    @cached_property
    def pipelines(self) -> Choices:
        return [(pipeline.pk, pipeline.name) for pipeline in self._pipelines]

    @cached_property
    def stages(self) -> list[tuple[str, Choices]]:
        """Grouped by pipeline, as an <optgroup> per pipeline."""
        return [
            (pipeline.name, [(stage.pk, stage.name) for stage in pipeline.stages.all()])
            for pipeline in self._pipelines
        ]

    @cached_property
    def tags(self) -> Choices:
        return list(
            Tag.objects.filter(workspace=self.workspace).order_by("name").values_list("pk", "name")
        )

    @cached_property
    def members(self) -> Choices:
        return list(
            Membership.objects.filter(workspace=self.workspace)
            .order_by("user__username")
            .values_list("user_id", "user__username")
        )

    @cached_property
    def sequences(self) -> Choices:
        return list(
            SequenceTemplate.objects.filter(workspace=self.workspace)
            .order_by("name")
            .values_list("pk", "name")
        )

    @cached_property
    def email_templates(self) -> Choices:
        """The library's shared templates: a rule belongs to the workspace, and a personal
        template is its owner's alone."""
        return shared_template_choices(workspace=self.workspace)

    # --- names -------------------------------------------------------------------------------
    # A rule keeps the ids it was saved with; what it points at may have been deleted since.

    def pipeline_name(self, pk: int | None) -> str:
        return self._name("pipelines", pk, "a deleted pipeline")

    def stage_name(self, pk: int | None) -> str:
        """'Proposal (Sales)': stage names repeat from one pipeline to the next."""
        if pk is None:
            return "a deleted stage"
        return self._stage_names.get(pk, "a deleted stage")

    def tag_name(self, pk: int | None) -> str:
        return self._name("tags", pk, "a deleted tag")

    def member_name(self, pk: int | None) -> str:
        return self._name("members", pk, "a former member")

    def sequence_name(self, pk: int | None) -> str:
        return self._name("sequences", pk, "a deleted sequence")

    def email_template_name(self, pk: int | None) -> str:
        # Every template of the workspace: one made personal after a rule chose it is still
        # what the rule sends.
        return self._name("_every_email_template", pk, "a deleted template")

    def _name(self, kind: str, pk: int | None, missing: str) -> str:
        if pk is None:
            return missing
        if kind not in self._names:
            self._names[kind] = dict(getattr(self, kind))
        return self._names[kind].get(pk, missing)

    @cached_property
    def _pipelines(self) -> list[Pipeline]:
        return list(
            Pipeline.objects.filter(workspace=self.workspace)
            .prefetch_related("stages")
            .order_by("name")
        )

    @cached_property
    def _every_email_template(self) -> Choices:
        return list(
            EmailTemplate.objects.filter(workspace=self.workspace).values_list("pk", "name")
        )

    @cached_property
    def _stage_names(self) -> dict[int, str]:
        return {
            stage.pk: f"{stage.name} ({pipeline.name})"
            for pipeline in self._pipelines
            for stage in pipeline.stages.all()
        }
