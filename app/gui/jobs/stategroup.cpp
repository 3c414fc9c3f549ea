#include "gui/jobs/stategroup.h"

#include <QCoreApplication>

namespace sweepline::gui {

const QList<StateGroup>& allStateGroups()
{
    static const QList<StateGroup> groups{StateGroup::All,    StateGroup::Active, StateGroup::Done,
                                          StateGroup::Pruned, StateGroup::Failed, StateGroup::Cancelled};
    return groups;
}

bool isInGroup(model::TrialState state, StateGroup group)
{
    using S = model::TrialState;
    switch (group) {
    case StateGroup::All:
        return true;
    case StateGroup::Active:
        return !model::isTerminal(state);
    case StateGroup::Done:
        return state == S::Done;
    case StateGroup::Pruned:
        return state == S::Pruned;
    case StateGroup::Failed:
        return state == S::Failed;
    case StateGroup::Cancelled:
        return state == S::Cancelled;
    }
    return false;
}

QString displayName(StateGroup group)
{
    switch (group) {
    case StateGroup::All:
        return QCoreApplication::translate("StateGroup", "All");
    case StateGroup::Active:
        return QCoreApplication::translate("StateGroup", "Active");
    case StateGroup::Done:
        return QCoreApplication::translate("StateGroup", "Done");
    case StateGroup::Pruned:
        return QCoreApplication::translate("StateGroup", "Pruned");
    case StateGroup::Failed:
        return QCoreApplication::translate("StateGroup", "Failed");
    case StateGroup::Cancelled:
        return QCoreApplication::translate("StateGroup", "Cancelled");
    }
    return {};
}

} // namespace sweepline::gui
