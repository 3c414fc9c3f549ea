#include "gui/charts/learningcurvechart.h"

#include "gui/charts/chartstyle.h"
#include "gui/charts/figuredata.h"

#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

// Tableau 10 without its red, which the charts reserve for "best" and "failed".
const QList<QColor>& palette()
{
    static const QList<QColor> colors{QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                                      QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2),
                                      QColor(0x7f, 0x7f, 0x7f), QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    return colors;
}

qint64 recency(const model::TrialRecord& t)
{
    if (t.finishedAt.isValid())
        return t.finishedAt.toMSecsSinceEpoch();
    return t.startedAt.isValid() ? t.startedAt.toMSecsSinceEpoch() : 0;
}

} // namespace

LearningCurveChart::LearningCurveChart(model::TrialTableModel* model, QObject* parent) : TrialChart(model, parent)
{
    setChart(chartstyle::newChart());
    m_xAxis = chartstyle::newValueAxis(tr("Report (epoch)"));
    m_yAxis = chartstyle::newValueAxis(QString());
    chart()->addAxis(m_xAxis, Qt::AlignBottom);
    chart()->addAxis(m_yAxis, Qt::AlignLeft);
    chart()->legend()->setAlignment(Qt::AlignRight);
}

void LearningCurveChart::setAutomaticSelection()
{
    if (m_automatic)
        return;
    m_automatic = true;
    m_chosen.clear();
    show(chooseTrials(), {}, false);
}

void LearningCurveChart::setSelectedTrials(const QList<qint64>& ids)
{
    m_automatic = false;
    m_chosen = ids;
    show(chooseTrials(), {}, false);
}

QList<qint64> LearningCurveChart::chooseTrials() const
{
    if (!m_automatic) {
        QList<qint64> present;
        for (qint64 id : m_chosen) {
            if (model()->rowOfTrial(id) >= 0)
                present.append(id);
        }
        return present;
    }
    QList<figures::CurveCandidate> candidates;
    for (const model::TrialRecord& t : model()->trials()) {
        if (t.intermediate.isEmpty())
            continue;
        std::optional<double> value;
        if (t.state == model::TrialState::Done)
            value = t.value;
        candidates.append({t.id, value, recency(t), int(t.intermediate.size())});
    }
    return figures::defaultCurveTrials(candidates, model()->campaign().objective.direction, defaultBestCount);
}

QString LearningCurveChart::nameOf(const model::TrialRecord& t, int rank) const
{
    QString name = tr("Trial %1").arg(t.id);
    if (t.value && t.state == model::TrialState::Done)
        name += u": %1"_s.arg(QString::number(*t.value, 'g', 5));
    else if (t.state != model::TrialState::Done)
        name += u" (%1)"_s.arg(model::toString(t.state));
    if (m_automatic && rank == 0 && t.state == model::TrialState::Done)
        name += tr(", best");
    return name;
}

QColor LearningCurveChart::freeColor() const
{
    QSet<QRgb> used;
    for (QLineSeries* s : m_series)
        used.insert(s->color().rgb());
    for (const QColor& c : palette()) {
        if (!used.contains(c.rgb()))
            return c;
    }
    return palette().at(m_series.size() % palette().size());
}

void LearningCurveChart::show(const QList<qint64>& ids, const QList<qint64>& changed, bool all)
{
    const bool selectionChanged = ids != m_shown;
    // Lines no longer shown go; new ones come; those whose trial changed get their points again.
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (ids.contains(it.key())) {
            ++it;
            continue;
        }
        chart()->removeSeries(it.value());
        delete it.value();
        it = m_series.erase(it);
    }
    for (int rank = 0; rank < ids.size(); ++rank) {
        const qint64 id = ids.at(rank);
        const model::TrialRecord& t = model()->trialAt(model()->rowOfTrial(id));
        QLineSeries* series = m_series.value(id);
        const bool isNew = series == nullptr;
        if (isNew) {
            series = new QLineSeries;
            series->setPen(QPen(freeColor(), 1.8));
            m_series.insert(id, series);
        }
        if (isNew || all || changed.contains(id)) {
            QList<QPointF> points;
            points.reserve(t.intermediate.size());
            for (int i = 0; i < t.intermediate.size(); ++i) {
                if (std::isfinite(t.intermediate.at(i)))
                    points.append({double(i + 1), t.intermediate.at(i)});
            }
            series->replace(points);
            // Dots only while they can be told apart.
            series->setPointsVisible(points.size() <= 40);
        }
        series->setName(nameOf(t, rank));
    }
    if (selectionChanged) {
        // Re-added in rank order so that the legend lists the best first; a handful of lines.
        for (qint64 id : ids) {
            QLineSeries* series = m_series.value(id);
            if (series->chart())
                chart()->removeSeries(series);
            chart()->addSeries(series);
            series->attachAxis(m_xAxis);
            series->attachAxis(m_yAxis);
        }
    }
    m_shown = ids;

    int reports = 1;
    bool any = false;
    double lo = 0;
    double hi = 0;
    for (QLineSeries* s : std::as_const(m_series)) {
        reports = std::max(reports, int(s->count()));
        for (const QPointF& p : s->points()) {
            lo = any ? std::min(lo, p.y()) : p.y();
            hi = any ? std::max(hi, p.y()) : p.y();
            any = true;
        }
    }
    chartstyle::setRange(m_xAxis, figures::paddedRange(1, std::max(2, reports), 0.02));
    chartstyle::setRange(m_yAxis, any ? figures::paddedRange(lo, hi) : figures::Range{0, 1});
    chart()->legend()->setVisible(!m_series.isEmpty());
    if (selectionChanged)
        emit shownTrialsChanged(m_shown);
}

void LearningCurveChart::rebuild()
{
    m_yAxis->setTitleText(model()->campaign().objective.metric);
    show(chooseTrials(), {}, true);
}

void LearningCurveChart::updateTrials(const QList<qint64>& ids)
{
    show(chooseTrials(), ids, false);
}

} // namespace sweepline::gui
