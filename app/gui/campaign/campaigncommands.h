#pragma once

// Private to sweepline_gui_campaign: the undoable edits of CampaignEditor.

#include "model/campaign.h"

#include <QUndoCommand>

namespace sweepline::gui {

class CampaignEditor;

// Inserting a parameter row, or removing one (its undo inserts it back).
class ParameterRowCommand : public QUndoCommand {
public:
    enum class Kind { Insert, Remove };
    ParameterRowCommand(CampaignEditor* editor, Kind kind, int row, model::Parameter parameter);
    void redo() override;
    void undo() override;

private:
    CampaignEditor* m_editor;
    Kind m_kind;
    int m_row;
    model::Parameter m_parameter;
};

class ParameterMoveCommand : public QUndoCommand {
public:
    ParameterMoveCommand(CampaignEditor* editor, int from, int to);
    void redo() override;
    void undo() override;

private:
    CampaignEditor* m_editor;
    int m_from;
    int m_to;
};

// A changed cell of the parameter table: the row before and after.
class ParameterEditCommand : public QUndoCommand {
public:
    ParameterEditCommand(CampaignEditor* editor, int row, model::Parameter before, model::Parameter after,
                         const QString& what);
    void redo() override;
    void undo() override;

private:
    CampaignEditor* m_editor;
    int m_row;
    model::Parameter m_before;
    model::Parameter m_after;
};

// A change of the fields outside the parameters (objective, search, job, cluster, name). Consecutive
// changes of the same field merge, so typing a command is one step of the history, not one per key.
class SettingsCommand : public QUndoCommand {
public:
    SettingsCommand(CampaignEditor* editor, model::Campaign before, model::Campaign after, QString key,
                    const QString& text);
    void redo() override;
    void undo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    CampaignEditor* m_editor;
    model::Campaign m_before;
    model::Campaign m_after;
    QString m_key;
};

} // namespace sweepline::gui
