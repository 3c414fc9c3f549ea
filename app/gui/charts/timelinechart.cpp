#include "gui/charts/timelinechart.h"

#include "gui/charts/chartstyle.h"
#include "gui/common/statecolors.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <cmath>

namespace sweepline::gui {

using model::TrialState;

namespace {

// The legend lists these, in this order, when some bar has them.
const QList<TrialState> legendStates{TrialState::Queued, TrialState::Running, TrialState::Done,
                                     TrialState::Pruned, TrialState::Failed,  TrialState::Cancelled};

// The strip's share of the plot height, and the gap above it, in parts of the bars' height.
constexpr double stripShare = 0.22;
constexpr double gapShare = 0.03;

QColor stripFill()
{
    return QColor(0xb0, 0xbe, 0xc5);
}

QColor stripOutline()
{
    return QColor(0x37, 0x47, 0x4f);
}

QColor queuedColor()
{
    QColor c = stateColor(TrialState::Queued);
    c.setAlpha(150);
    return c;
}

void setLabels(QCategoryAxis* axis, const QList<std::pair<double, QString>>& labels)
{
    QStringList wanted;
    for (const auto& label : labels)
        wanted.append(label.second);
    if (axis->categoriesLabels() == wanted) {
        bool same = true;
        for (const auto& label : labels)
            same = same && axis->endValue(label.second) == label.first;
        if (same)
            return;
    }
    for (const QString& old : axis->categoriesLabels())
        axis->remove(old);
    for (const auto& label : labels)
        axis->append(label.second, label.first);
}

} // namespace

TimelineChart::TimelineChart(model::TrialTableModel* model, QObject* parent)
    : TrialChart(model, parent),
      m_now([] { return QDateTime::currentDateTimeUtc(); })
{
    setChart(chartstyle::newChart());
    QChart* c = chart();

    m_reference = new QScatterSeries;
    c->addSeries(m_reference);
    for (TrialState state : legendStates) {
        auto* entry = new QScatterSeries;
        entry->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        entry->setBrush(state == TrialState::Queued ? queuedColor() : stateColor(state));
        entry->setPen(Qt::NoPen);
        entry->setName(state == TrialState::Queued
                           ? tr("Queued")
                           : model::toString(state).replace(0, 1, model::toString(state).at(0).toUpper()));
        c->addSeries(entry);
        m_stateLegend.insert(state, entry);
    }
    m_concurrencyLegend = new QScatterSeries;
    m_concurrencyLegend->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_concurrencyLegend->setBrush(stripFill());
    m_concurrencyLegend->setPen(QPen(stripOutline(), 1));
    m_concurrencyLegend->setName(tr("Running at once"));
    c->addSeries(m_concurrencyLegend);
    m_countReference = new QLineSeries;
    c->addSeries(m_countReference);

    m_timeAxis = chartstyle::newValueAxis(QString());
    m_trialAxis = new QCategoryAxis;
    m_countAxis = new QCategoryAxis;
    for (QCategoryAxis* axis : {m_trialAxis, m_countAxis}) {
        axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        axis->setTitleFont(chartstyle::titleFont());
        axis->setTitleBrush(chartstyle::textColor());
        axis->setLabelsFont(chartstyle::labelFont());
        axis->setLabelsColor(chartstyle::textColor());
        axis->setLinePen(QPen(QColor(0x42, 0x42, 0x42), 1));
        axis->setGridLinePen(QPen(QColor(0xe4, 0xe4, 0xe4), 1));
    }
    m_trialAxis->setTitleText(tr("Trial"));
    m_trialAxis->setReverse(true);
    m_countAxis->setGridLineVisible(false);
    c->addAxis(m_timeAxis, Qt::AlignBottom);
    c->addAxis(m_trialAxis, Qt::AlignLeft);
    c->addAxis(m_countAxis, Qt::AlignRight);
    for (QAbstractSeries* s : c->series()) {
        s->attachAxis(m_timeAxis);
        s->attachAxis(s == m_countReference ? m_countAxis : m_trialAxis);
    }
    c->legend()->markers(m_reference).value(0)->setVisible(false);
    c->legend()->markers(m_countReference).value(0)->setVisible(false);

    m_bars = new ChartAnnotations(c, ChartAnnotations::Layer::BelowSeries);
    m_bars->setReferenceSeries(m_reference);
    m_captions = new ChartAnnotations(c, ChartAnnotations::Layer::AboveSeries);
    m_captions->setReferenceSeries(m_reference);

    m_clockTimer.setInterval(2000);
    connect(&m_clockTimer, &QTimer::timeout, this, &TimelineChart::tick);
}

void TimelineChart::setClock(std::function<QDateTime()> now)
{
    m_now = std::move(now);
    requestRebuild();
}

void TimelineChart::place(const model::TrialRecord& trial)
{
    if (!trial.submittedAt.isValid() && !trial.startedAt.isValid()) {
        m_spans.remove(trial.id);
        return;
    }
    Span span;
    span.submitted = trial.submittedAt.isValid() ? trial.submittedAt : trial.startedAt;
    span.started = trial.startedAt;
    span.finished = trial.finishedAt;
    span.state = trial.state;
    m_spans.insert(trial.id, span);
}

void TimelineChart::rebuild()
{
    m_spans.clear();
    for (const model::TrialRecord& trial : model()->trials())
        place(trial);
    finish();
}

void TimelineChart::updateTrials(const QList<qint64>& ids)
{
    for (qint64 id : ids)
        place(model()->trialAt(model()->rowOfTrial(id)));
    finish();
}

void TimelineChart::tick()
{
    if (isLive())
        finish(); // open spans end at the new "now"
}

void TimelineChart::finish()
{
    const QDateTime now = m_now();
    m_origin = QDateTime();
    QDateTime last;
    bool open = false;
    for (const Span& s : std::as_const(m_spans)) {
        if (!m_origin.isValid() || s.submitted < m_origin)
            m_origin = s.submitted;
        const QDateTime end = s.finished.isValid() ? s.finished : now;
        open = open || !s.finished.isValid();
        if (!last.isValid() || end > last)
            last = end;
    }
    const double totalSeconds = m_origin.isValid() ? double(m_origin.msecsTo(last)) / 1000.0 : 0.0;
    m_unit = figures::timeUnitFor(totalSeconds);
    m_timeAxis->setTitleText(tr("Time since the first submission [%1]").arg(m_unit.name));
    auto at = [this](const QDateTime& t) { return double(m_origin.msecsTo(t)) / 1000.0 / m_unit.seconds; };

    QList<ChartAnnotations::Bar> bars;
    bars.reserve(m_spans.size() * 2);
    QList<figures::Interval> running;
    running.reserve(m_spans.size());
    QSet<TrialState> shown;
    for (auto it = m_spans.cbegin(); it != m_spans.cend(); ++it) {
        const qint64 id = it.key();
        const Span& s = it.value();
        const QDateTime end = s.finished.isValid() ? s.finished : now;
        const QDateTime queuedUntil = s.started.isValid() ? s.started : end;
        if (queuedUntil > s.submitted) {
            bars.append({double(id), at(s.submitted), at(queuedUntil), queuedColor()});
            shown.insert(TrialState::Queued);
        }
        if (s.started.isValid()) {
            const TrialState colourOf = model::isTerminal(s.state) ? s.state : TrialState::Running;
            bars.append({double(id), at(s.started), at(end), stateColor(colourOf)});
            shown.insert(colourOf);
            running.append({at(s.started), at(end)});
        }
    }
    m_bars->setBars(bars, 0.8);
    m_steps = figures::concurrencySteps(running);
    m_peak = figures::maxConcurrency(m_steps);

    const double span = std::max(totalSeconds / m_unit.seconds, 1e-9);
    const bool none = m_spans.isEmpty();
    chartstyle::setRange(m_timeAxis, none ? figures::Range{0, 1} : figures::Range{-0.02 * span, span * 1.02});
    layOutAxes(none ? 1 : m_spans.firstKey(), none ? 1 : m_spans.lastKey());

    for (auto it = m_stateLegend.cbegin(); it != m_stateLegend.cend(); ++it)
        chart()->legend()->markers(it.value()).value(0)->setVisible(shown.contains(it.key()));
    chart()->legend()->markers(m_concurrencyLegend).value(0)->setVisible(!m_steps.isEmpty());
    chart()->legend()->setVisible(!none);

    if (open && !m_clockTimer.isActive())
        m_clockTimer.start();
    else if (!open)
        m_clockTimer.stop();
}

// The left axis runs over the trials and then on, below them, over the concurrency strip; the right
// axis is scaled so that its counts line up with the strip. Both label only their own part.
void TimelineChart::layOutAxes(qint64 first, qint64 last)
{
    const double top = double(first) - 0.5;
    const double barsBottom = double(last) + 0.5;
    const double height = barsBottom - top;
    const double strip = height * stripShare / (1 - stripShare);
    const double stripTop = barsBottom + height * gapShare;
    const double bottom = stripTop + strip;
    const double countTop = std::max(1, m_peak) * 1.12;

    m_trialAxis->setRange(top - height * 0.01, bottom);
    m_trialAxis->setStartValue(top - height * 0.01);
    const qint64 step = std::max<qint64>(1, qint64(std::llround(figures::niceStep(height, 5))));
    QList<std::pair<double, QString>> trialLabels;
    for (qint64 t = (first + step - 1) / step * step; t <= last; t += step)
        trialLabels.append({double(t), QString::number(t)});
    if (trialLabels.isEmpty() || trialLabels.first().first - double(first) > double(step) / 3)
        trialLabels.prepend({double(first), QString::number(first)});
    setLabels(m_trialAxis, trialLabels);

    // Count c sits at bottom - c / countTop * strip on the left axis, i.e. c on the right one.
    const double countRange = countTop * (bottom - (top - height * 0.01)) / strip;
    m_countAxis->setRange(0, countRange);
    m_countAxis->setStartValue(0);
    // Whole trials: 1, 2, 5, 10, 20, ... with at most five labels.
    int countStep = 1;
    for (int i = 0; countTop / countStep > 5; ++i)
        countStep = (i % 3 == 0 ? 2 : i % 3 == 1 ? 5 : 10) * int(std::pow(10, i / 3));
    QList<std::pair<double, QString>> countLabels;
    for (int c = 0; c <= m_peak; c += countStep)
        countLabels.append({double(c), QString::number(c)});
    setLabels(m_countAxis, countLabels);

    QList<QPointF> corners;
    corners.reserve(m_steps.size());
    for (const QPointF& p : std::as_const(m_steps))
        corners.append({p.x(), bottom - p.y() / countTop * strip});
    m_bars->setStepArea(corners, bottom, stripFill(), stripOutline());
    m_bars->setHorizontalLines({barsBottom + height * gapShare / 2}, QPen(QColor(0xbd, 0xbd, 0xbd), 1));
    m_captions->setCaptions({{QPointF(m_timeAxis->min(), stripTop), tr("Trials running at once")}});
}

} // namespace sweepline::gui
