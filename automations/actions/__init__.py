"""The actions an automation can take, by type."""

from automations.actions.base import (
    Action,
    ActionCall,
    ActionError,
    ActionSkipped,
    Delivery,
    Strict,
    TransientActionError,
)
from automations.actions.crm import (
    AssignTag,
    ChangeDealStage,
    CopyDeal,
    CreateDeal,
    RemoveTag,
    UpdateField,
)
from automations.actions.outreach import CreateTask, NotifyAdmins, SendEmail, SendMessage
from automations.actions.sequences import EnrollInSequence
from automations.actions.webhook import CallWebhook

# In the order the builder offers them.
ACTIONS: dict[str, Action] = {
    action.type: action
    for action in (
        AssignTag(),
        RemoveTag(),
        ChangeDealStage(),
        CreateTask(),
        SendEmail(),
        SendMessage(),
        UpdateField(),
        CreateDeal(),
        CopyDeal(),
        EnrollInSequence(),
        CallWebhook(),
        NotifyAdmins(),
    )
}

__all__ = [
    "ACTIONS",
    "Action",
    "ActionCall",
    "ActionError",
    "ActionSkipped",
    "Delivery",
    "Strict",
    "TransientActionError",
]
