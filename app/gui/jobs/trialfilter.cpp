#include "gui/jobs/trialfilter.h"

#include "gui/jobs/stategroup.h"
#include "gui/jobs/trialtimes.h"
#include "model/trialtablemodel.h"

#include <QLocale>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

TrialFilter::Op opFromText(const QString& text)
{
    using Op = TrialFilter::Op;
    if (text == u"=")
        return Op::Equal;
    if (text == u"!=")
        return Op::NotEqual;
    if (text == u"<")
        return Op::Less;
    if (text == u"<=")
        return Op::LessEqual;
    if (text == u">")
        return Op::Greater;
    return Op::GreaterEqual;
}

bool isNumeric(const QVariant& value)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
        return true;
    default:
        return false;
    }
}

// The value a comparison looks at; queue and run times of unfinished trials grow with `now`.
QVariant comparedValue(const model::TrialTableModel& model, int row, int column, const QDateTime& now)
{
    if (column == model.queuedColumn() || column == model.elapsedColumn()) {
        const model::TrialRecord& trial = model.trialAt(row);
        const auto seconds = column == model.queuedColumn() ? queuedSeconds(trial, now) : elapsedSeconds(trial, now);
        return seconds ? QVariant(*seconds) : QVariant();
    }
    return model.index(row, column).data(Qt::EditRole);
}

bool holds(TrialFilter::Op op, int order)
{
    using Op = TrialFilter::Op;
    switch (op) {
    case Op::Equal:
        return order == 0;
    case Op::NotEqual:
        return order != 0;
    case Op::Less:
        return order < 0;
    case Op::LessEqual:
        return order <= 0;
    case Op::Greater:
        return order > 0;
    case Op::GreaterEqual:
        return order >= 0;
    case Op::Contains:
        return false;
    }
    return false;
}

int compareNumbers(double value, double wanted)
{
    // Candidates of a log range are computed, so 0.001 may be stored as 0.0010000000000000002:
    // equal within rounding is equal.
    if (std::abs(value - wanted) <= 1e-9 * std::max(std::abs(value), std::abs(wanted)))
        return 0;
    return value < wanted ? -1 : 1;
}

} // namespace

QStringList TrialFilter::split(const QString& text)
{
    QStringList tokens;
    QString current;
    bool quoted = false;
    for (QChar c : text) {
        if (c == u'"') {
            quoted = !quoted;
        } else if (!quoted && c.isSpace()) {
            if (!current.isEmpty())
                tokens.append(current);
            current.clear();
        } else {
            current.append(c);
        }
    }
    if (!current.isEmpty())
        tokens.append(current);
    return tokens;
}

QHash<QString, int> TrialFilter::columnNames(const model::TrialTableModel& model)
{
    QHash<QString, int> names{
        {u"trial"_s, model.trialColumn()},     {u"state"_s, model.stateColumn()},  {u"job"_s, model.jobIdColumn()},
        {u"jobid"_s, model.jobIdColumn()},     {u"job_id"_s, model.jobIdColumn()}, {u"queued"_s, model.queuedColumn()},
        {u"elapsed"_s, model.elapsedColumn()}, {u"error"_s, model.errorColumn()},
    };
    // The campaign's own names win over the fixed ones: a parameter may well be called "batch".
    const model::Campaign& campaign = model.campaign();
    for (int i = 0; i < campaign.parameters.size(); ++i)
        names.insert(campaign.parameters.at(i).name.toLower(), model.parameterColumn(i));
    if (!campaign.objective.metric.isEmpty())
        names.insert(campaign.objective.metric.toLower(), model.metricColumn());
    return names;
}

TrialFilter TrialFilter::parse(const QString& text, const model::TrialTableModel& model)
{
    // "loss < 0.1" is one comparison, not three words.
    static const QRegularExpression spacedOperator(uR"(\s*(<=|>=|!=|=|<|>)\s*)"_s);
    static const QRegularExpression comparison(uR"(^([^<>=!]+)(<=|>=|!=|=|<|>)(.*)$)"_s);

    QString normalized = text;
    normalized.replace(spacedOperator, u"\\1"_s);
    const QHash<QString, int> names = columnNames(model);

    TrialFilter filter;
    for (const QString& token : split(normalized)) {
        Term term;
        const QRegularExpressionMatch match = comparison.match(token);
        const int column = match.hasMatch() ? names.value(match.captured(1).toLower(), -1) : -1;
        if (column >= 0) {
            term.text = match.captured(3);
            if (term.text.isEmpty())
                continue; // still being typed
            term.column = column;
            term.op = opFromText(match.captured(2));
            term.number = QLocale::c().toDouble(term.text, &term.isNumber);
        } else {
            term.text = token;
        }
        filter.m_terms.append(term);
    }
    return filter;
}

bool TrialFilter::matches(const model::TrialTableModel& model, int row, const QDateTime& now) const
{
    for (const Term& term : m_terms) {
        if (!matchesTerm(model, row, term, now))
            return false;
    }
    return true;
}

bool TrialFilter::matchesTerm(const model::TrialTableModel& model, int row, const Term& term, const QDateTime& now)
{
    if (term.op == Op::Contains) {
        const int columns = model.columnCount();
        for (int column = 0; column < columns; ++column) {
            if (model.index(row, column).data(Qt::DisplayRole).toString().contains(term.text, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }

    if (term.column == model.stateColumn() && (term.op == Op::Equal || term.op == Op::NotEqual)) {
        // "state=active" means the group, as the state buttons do.
        for (StateGroup group : allStateGroups()) {
            if (displayName(group).compare(term.text, Qt::CaseInsensitive) == 0)
                return isInGroup(model.trialAt(row).state, group) == (term.op == Op::Equal);
        }
    }

    const QVariant value = comparedValue(model, row, term.column, now);
    if (!value.isValid())
        return term.op == Op::NotEqual;
    if (term.isNumber && isNumeric(value)) {
        const double number = value.toDouble();
        if (std::isnan(number))
            return term.op == Op::NotEqual;
        return holds(term.op, compareNumbers(number, term.number));
    }
    const QString text = model.index(row, term.column).data(Qt::DisplayRole).toString();
    return holds(term.op, QString::compare(text, term.text, Qt::CaseInsensitive));
}

} // namespace sweepline::gui
