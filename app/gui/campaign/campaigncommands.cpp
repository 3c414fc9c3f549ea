#include "gui/campaign/campaigncommands.h"

#include "gui/campaign/campaigneditor.h"

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

QString label(const model::Parameter& parameter)
{
    return parameter.name.isEmpty() ? u"parameter"_s : u"parameter %1"_s.arg(parameter.name);
}

// Only the settings travel in a SettingsCommand; the parameters have their own commands.
model::Campaign withoutParameters(model::Campaign campaign)
{
    campaign.parameters.clear();
    return campaign;
}

} // namespace

ParameterRowCommand::ParameterRowCommand(CampaignEditor* editor, Kind kind, int row, model::Parameter parameter)
    : m_editor(editor),
      m_kind(kind),
      m_row(row),
      m_parameter(std::move(parameter))
{
    setText((kind == Kind::Insert ? u"Add %1"_s : u"Remove %1"_s).arg(label(m_parameter)));
}

void ParameterRowCommand::redo()
{
    if (m_kind == Kind::Insert)
        m_editor->applyInsert(m_row, m_parameter);
    else
        m_editor->applyRemove(m_row);
}

void ParameterRowCommand::undo()
{
    if (m_kind == Kind::Insert)
        m_editor->applyRemove(m_row);
    else
        m_editor->applyInsert(m_row, m_parameter);
}

ParameterMoveCommand::ParameterMoveCommand(CampaignEditor* editor, int from, int to)
    : m_editor(editor),
      m_from(from),
      m_to(to)
{
    setText(u"Move %1"_s.arg(label(editor->campaign().parameters.at(from))));
}

void ParameterMoveCommand::redo()
{
    m_editor->applyMove(m_from, m_to);
}

void ParameterMoveCommand::undo()
{
    m_editor->applyMove(m_to, m_from);
}

ParameterEditCommand::ParameterEditCommand(CampaignEditor* editor, int row, model::Parameter before,
                                           model::Parameter after, const QString& what)
    : m_editor(editor),
      m_row(row),
      m_before(std::move(before)),
      m_after(std::move(after))
{
    setText(u"Change %1 of %2"_s.arg(what, label(m_before)));
}

void ParameterEditCommand::redo()
{
    m_editor->applyParameter(m_row, m_after);
}

void ParameterEditCommand::undo()
{
    m_editor->applyParameter(m_row, m_before);
}

SettingsCommand::SettingsCommand(CampaignEditor* editor, model::Campaign before, model::Campaign after, QString key,
                                 const QString& text)
    : m_editor(editor),
      m_before(withoutParameters(std::move(before))),
      m_after(withoutParameters(std::move(after))),
      m_key(std::move(key))
{
    setText(text);
}

void SettingsCommand::redo()
{
    m_editor->applySettings(m_after);
}

void SettingsCommand::undo()
{
    m_editor->applySettings(m_before);
}

bool SettingsCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = static_cast<const SettingsCommand*>(other);
    if (m_key.isEmpty() || next->m_key != m_key)
        return false; // an empty key marks a change that is a step of its own
    m_after = next->m_after;
    return true;
}

} // namespace sweepline::gui
