#include "gui/jobs/jobscontroller.h"

#include "model/trialtablemodel.h"

#include <QLocale>

namespace sweepline::gui {

namespace {

QString tsvCell(const QVariant& raw, const QVariant& display)
{
    switch (raw.typeId()) {
    case QMetaType::Double:
        return QString::number(raw.toDouble(), 'g', QLocale::FloatingPointShortest);
    case QMetaType::LongLong:
    case QMetaType::Int:
        return QString::number(raw.toLongLong());
    default: {
        // A tab or line break inside a cell would split it.
        QString text = display.toString();
        for (QChar& c : text) {
            if (c == u'\t' || c == u'\n' || c == u'\r')
                c = u' ';
        }
        return text;
    }
    }
}

} // namespace

JobsController::JobsController(model::TrialTableModel* trials, QObject* parent)
    : QObject(parent),
      m_trials(trials),
      m_proxy(new TrialProxyModel(trials, this))
{
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, &JobsController::tick);
    // One pass over the trials per change is microseconds even for 10,000 of them.
    connect(trials, &QAbstractItemModel::modelReset, this, &JobsController::refreshSummary);
    connect(trials, &QAbstractItemModel::layoutChanged, this, &JobsController::refreshSummary);
    connect(trials, &QAbstractItemModel::rowsInserted, this, &JobsController::refreshSummary);
    connect(trials, &QAbstractItemModel::rowsRemoved, this, &JobsController::refreshSummary);
    connect(trials, &QAbstractItemModel::dataChanged, this, &JobsController::refreshSummary);
    tick();
    refreshSummary();
}

void JobsController::refreshSummary()
{
    const TrialSummary summary = TrialSummary::of(m_trials->campaign(), m_trials->trials());
    m_proxy->setBestTrial(summary.bestTrial);
    const bool active = summary.count(StateGroup::Active) > 0;
    if (active && !m_clock.isActive()) {
        tick();
        m_clock.start();
    } else if (!active) {
        m_clock.stop();
    }
    if (summary == m_summary)
        return;
    m_summary = summary;
    emit summaryChanged();
}

void JobsController::tick()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_proxy->setNow(now);
    emit clockTicked(now);
}

QList<qint64> JobsController::cancellableTrials(const QList<int>& proxyRows) const
{
    QList<qint64> ids;
    for (int row : proxyRows) {
        const QModelIndex source = m_proxy->mapToSource(m_proxy->index(row, 0));
        if (!source.isValid())
            continue;
        const model::TrialRecord& trial = m_trials->trialAt(source.row());
        if (!model::isTerminal(trial.state) && !ids.contains(trial.id))
            ids.append(trial.id);
    }
    return ids;
}

QString JobsController::rowsAsTsv(const QList<int>& proxyRows, const QList<int>& columns) const
{
    QStringList lines;
    QStringList header;
    for (int column : columns) // the source's names: durations are in seconds here
        header.append(m_trials->headerData(column, Qt::Horizontal).toString());
    lines.append(header.join(u'\t'));
    for (int row : proxyRows) {
        QStringList cells;
        for (int column : columns) {
            const QModelIndex index = m_proxy->index(row, column);
            cells.append(tsvCell(index.data(Qt::EditRole), m_proxy->mapToSource(index).data(Qt::DisplayRole)));
        }
        lines.append(cells.join(u'\t'));
    }
    return lines.join(u'\n') + u'\n';
}

} // namespace sweepline::gui
