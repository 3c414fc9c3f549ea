#include "gui/results/toptrialsmodel.h"

#include "gui/common/statecolors.h"
#include "model/trialtablemodel.h"

#include <QFont>
#include <QLocale>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

bool hasValue(const model::TrialRecord& trial)
{
    return trial.state == model::TrialState::Done && trial.value && std::isfinite(*trial.value);
}

QString ordinal(int rank)
{
    const int lastTwo = rank % 100;
    const int last = rank % 10;
    const char* suffix = (lastTwo >= 11 && lastTwo <= 13) ? "th"
        : last == 1                                       ? "st"
        : last == 2                                       ? "nd"
        : last == 3                                       ? "rd"
                                                          : "th";
    return QString::number(rank) + QLatin1String(suffix);
}

QString signedNumber(double value, int precision)
{
    const QString text = QString::number(value, 'g', precision);
    return value > 0 ? u'+' + text : text;
}

// A difference of two doubles carries rounding noise in its last digits; twelve are plenty.
QString derivedNumber(double value)
{
    return QString::number(value, 'g', 12);
}

QByteArray csvLine(const QStringList& fields)
{
    QStringList quoted;
    for (QString field : fields) {
        if (field.contains(u',') || field.contains(u'"') || field.contains(u'\n') || field.contains(u'\r'))
            field = u'"' + field.replace(u'"', u"\"\""_s) + u'"';
        quoted.append(field);
    }
    return quoted.join(u',').toUtf8() + "\r\n";
}

// Same values as the trial's row shows, so an unchanged row need not be repainted.
bool sameRow(const model::TrialRecord& a, const model::TrialRecord& b)
{
    return a.id == b.id && a.value == b.value && a.values == b.values && a.elapsedSeconds() == b.elapsedSeconds();
}

} // namespace

TopTrialsModel::TopTrialsModel(model::TrialTableModel* trials, QObject* parent)
    : QAbstractTableModel(parent),
      m_trials(trials)
{
    Q_ASSERT(trials);
    connect(trials, &QAbstractItemModel::modelReset, this, &TopTrialsModel::reset);
    connect(trials, &QAbstractItemModel::rowsInserted, this, &TopTrialsModel::recompute);
    connect(trials, &QAbstractItemModel::rowsRemoved, this, &TopTrialsModel::recompute);
    connect(trials, &QAbstractItemModel::dataChanged, this, &TopTrialsModel::recompute);
    connect(trials, &QAbstractItemModel::layoutChanged, this, &TopTrialsModel::recompute);
    reset();
}

void TopTrialsModel::setLimit(int count)
{
    count = std::max(1, count);
    if (count == m_limit)
        return;
    m_limit = count;
    recompute();
}

void TopTrialsModel::reset()
{
    beginResetModel();
    m_parameterCount = int(m_trials->campaign().parameters.size());
    m_ranked.clear();
    m_reference = {};
    m_referenceTrial = {};
    endResetModel();
    recompute();
}

void TopTrialsModel::recompute()
{
    const model::Campaign& campaign = m_trials->campaign();
    if (int(campaign.parameters.size()) != m_parameterCount) {
        reset(); // the columns change
        return;
    }
    const QList<model::TrialRecord>& trials = m_trials->trials();
    QList<const model::TrialRecord*> finished;
    for (const model::TrialRecord& trial : trials) {
        if (hasValue(trial))
            finished.append(&trial);
    }
    const bool maximize = campaign.objective.direction == model::Direction::Maximize;
    auto better = [maximize](const model::TrialRecord* a, const model::TrialRecord* b) {
        if (*a->value != *b->value)
            return maximize ? *a->value > *b->value : *a->value < *b->value;
        return a->id < b->id;
    };
    const qsizetype count = std::min<qsizetype>(m_limit, finished.size());
    std::partial_sort(finished.begin(), finished.begin() + count, finished.end(), better);
    QList<model::TrialRecord> ranked;
    ranked.reserve(count);
    for (qsizetype i = 0; i < count; ++i)
        ranked.append(*finished.at(i));

    const DefaultReference reference = DefaultReference::find(campaign, trials);
    model::TrialRecord referenceTrial;
    if (reference.isMeasured())
        referenceTrial = m_trials->trialAt(m_trials->rowOfTrial(reference.trialId));

    // What to repaint: rows whose contents change, and every row when the reference's value does.
    const QList<model::TrialRecord> oldRanked = m_ranked;
    const bool referenceMoved = reference.value != m_reference.value;
    const bool referenceRowChanged = referenceMoved || !sameRow(referenceTrial, m_referenceTrial);
    const bool finishedChanged = int(finished.size()) != m_finished;
    const bool notesChanged = !(reference == m_reference) || finishedChanged;
    m_finished = int(finished.size());

    // Rows come and go at the end of the ranking and at the reference row, so neighbouring rows
    // keep their rank and selections survive.
    const int oldCount = int(oldRanked.size());
    const int newCount = int(ranked.size());
    if (newCount > oldCount) {
        beginInsertRows({}, oldCount, newCount - 1);
        m_ranked = ranked;
        endInsertRows();
    } else if (newCount < oldCount) {
        beginRemoveRows({}, newCount, oldCount - 1);
        m_ranked = ranked;
        endRemoveRows();
    } else {
        m_ranked = ranked;
    }
    const bool hadReference = m_reference.isMeasured();
    if (reference.isMeasured() && !hadReference) {
        beginInsertRows({}, newCount, newCount);
        m_reference = reference;
        m_referenceTrial = referenceTrial;
        endInsertRows();
    } else if (!reference.isMeasured() && hadReference) {
        beginRemoveRows({}, newCount, newCount);
        m_reference = reference;
        m_referenceTrial = referenceTrial;
        endRemoveRows();
    } else {
        m_reference = reference;
        m_referenceTrial = referenceTrial;
    }

    int first = -1;
    int last = -1;
    for (int row = 0; row < std::min(oldCount, newCount); ++row) {
        if (referenceMoved || !sameRow(oldRanked.at(row), m_ranked.at(row))) {
            first = first < 0 ? row : first;
            last = row;
        }
    }
    if (hadReference && m_reference.isMeasured() && referenceRowChanged) {
        first = first < 0 ? newCount : first;
        last = newCount;
    }
    if (first >= 0)
        emit dataChanged(index(first, 0), index(last, columnCount() - 1));
    if (notesChanged)
        emit referenceChanged();
}

const model::TrialRecord* TopTrialsModel::recordAt(int row) const
{
    if (row >= 0 && row < rankedCount())
        return &m_ranked.at(row);
    return isReferenceRow(row) ? &m_referenceTrial : nullptr;
}

qint64 TopTrialsModel::trialIdAt(int row) const
{
    const model::TrialRecord* trial = recordAt(row);
    return trial ? trial->id : 0;
}

std::optional<Improvement> TopTrialsModel::improvementAt(int row) const
{
    const model::TrialRecord* trial = recordAt(row);
    if (!trial || isReferenceRow(row) || !m_reference.isMeasured() || !trial->value)
        return std::nullopt;
    return improvementOver(*m_reference.value, *trial->value, m_trials->campaign().objective.direction);
}

int TopTrialsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : rankedCount() + (m_reference.isMeasured() ? 1 : 0);
}

int TopTrialsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : improvementPercentColumn() + 1;
}

QVariant TopTrialsModel::rawValue(int row, int column) const
{
    const model::TrialRecord* trial = recordAt(row);
    if (!trial)
        return {};
    if (column == rankColumn())
        return isReferenceRow(row) ? QVariant() : QVariant(row + 1);
    if (column == trialColumn())
        return trial->id;
    if (column < metricColumn())
        return trial->values.value(column - parameterColumn(0));
    if (column == metricColumn())
        return trial->value ? QVariant(*trial->value) : QVariant();
    if (column == timeColumn()) {
        const auto seconds = trial->elapsedSeconds();
        return seconds ? QVariant(*seconds) : QVariant();
    }
    const auto improvement = improvementAt(row);
    if (column == improvementColumn())
        return improvement ? QVariant(improvement->absolute) : QVariant();
    if (column == improvementPercentColumn())
        return improvement && improvement->percent ? QVariant(*improvement->percent) : QVariant();
    return {};
}

QVariant TopTrialsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        if (column == rankColumn())
            return isReferenceRow(row) ? tr("default") : ordinal(row + 1);
        const QVariant raw = rawValue(row, column);
        if (!raw.isValid())
            return QString();
        if (column >= parameterColumn(0) && column < metricColumn())
            return model::Campaign::formatValue(raw);
        if (column == metricColumn())
            return QString::number(raw.toDouble(), 'g', 6);
        if (column == timeColumn())
            return QString::number(raw.toDouble(), 'f', 1);
        if (column == improvementColumn())
            return signedNumber(raw.toDouble(), 4);
        if (column == improvementPercentColumn())
            return raw.toDouble() > 0 ? u'+' + QString::number(raw.toDouble(), 'f', 2)
                                      : QString::number(raw.toDouble(), 'f', 2);
        return raw.toString();
    }
    case Qt::EditRole:
        return rawValue(row, column);
    case Qt::TextAlignmentRole: {
        const int parameter = column - parameterColumn(0);
        const auto& parameters = m_trials->campaign().parameters;
        const bool choice = parameter >= 0 && parameter < parameters.size()
            && parameters.at(parameter).type == model::ParameterType::Choice;
        return column == rankColumn() || choice ? QVariant() : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    }
    case Qt::ForegroundRole: {
        if (column != improvementColumn() && column != improvementPercentColumn())
            return {};
        const auto improvement = improvementAt(row);
        if (!improvement || improvement->absolute == 0)
            return {};
        return stateColor(improvement->absolute > 0 ? model::TrialState::Done : model::TrialState::Failed);
    }
    case Qt::FontRole: {
        if (!isReferenceRow(row))
            return {};
        QFont italic;
        italic.setItalic(true);
        return italic;
    }
    case Qt::ToolTipRole:
        if (isReferenceRow(row))
            return tr("The default configuration: every parameter at its default");
        return {};
    case TrialIdRole:
        return trialIdAt(row);
    case IsReferenceRole:
        return isReferenceRow(row);
    default:
        return {};
    }
}

QVariant TopTrialsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return QAbstractTableModel::headerData(section, orientation, role);
    const model::Campaign& campaign = m_trials->campaign();
    const bool maximize = campaign.objective.direction == model::Direction::Maximize;
    if (role == Qt::ToolTipRole) {
        if (section == improvementColumn() || section == improvementPercentColumn())
            return maximize ? tr("How much higher than the default configuration's %1 (positive: better)")
                                  .arg(campaign.objective.metric)
                            : tr("How much lower than the default configuration's %1 (positive: better)")
                                  .arg(campaign.objective.metric);
        if (section == timeColumn())
            return tr("Run time of the job, from start to finish");
        return {};
    }
    if (section == rankColumn())
        return tr("Rank");
    if (section == trialColumn())
        return tr("Trial");
    if (section < metricColumn())
        return campaign.parameters.value(section - parameterColumn(0)).name;
    if (section == metricColumn())
        return campaign.objective.metric;
    if (section == timeColumn())
        return tr("Execution time (s)");
    if (section == improvementColumn())
        return tr("Improvement");
    if (section == improvementPercentColumn())
        return tr("Improvement (%)");
    return {};
}

QHash<int, QByteArray> TopTrialsModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(TrialIdRole, "trialId");
    names.insert(IsReferenceRole, "isReference");
    return names;
}

QByteArray TopTrialsModel::toCsv() const
{
    const model::Campaign& campaign = m_trials->campaign();
    QStringList header{u"rank"_s, u"trial"_s};
    for (const model::Parameter& parameter : campaign.parameters)
        header.append(parameter.name);
    header << campaign.objective.metric << u"execution_time_s"_s << u"improvement"_s << u"improvement_percent"_s;
    QByteArray csv = csvLine(header);

    for (int row = 0; row < rowCount(); ++row) {
        const model::TrialRecord& trial = *recordAt(row);
        QStringList fields{isReferenceRow(row) ? u"default"_s : QString::number(row + 1), QString::number(trial.id)};
        for (int i = 0; i < m_parameterCount; ++i)
            fields.append(model::Campaign::formatValue(trial.values.value(i)));
        fields.append(QString::number(*trial.value, 'g', QLocale::FloatingPointShortest));
        const auto seconds = trial.elapsedSeconds();
        fields.append(seconds ? QString::number(*seconds, 'f', 3) : QString());
        const auto improvement = improvementAt(row);
        fields.append(improvement ? derivedNumber(improvement->absolute) : QString());
        fields.append(improvement && improvement->percent ? derivedNumber(*improvement->percent) : QString());
        csv += csvLine(fields);
    }
    return csv;
}

} // namespace sweepline::gui
