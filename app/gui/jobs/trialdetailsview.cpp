#include "gui/jobs/trialdetailsview.h"

#include "gui/common/prunedtrials.h"
#include "gui/common/statecolors.h"
#include "gui/jobs/trialtimes.h"
#include "model/trialtablemodel.h"

#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

QString number(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QString timestamp(const QDateTime& at)
{
    return at.isValid() ? at.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s) : u"—"_s;
}

QString row(const QString& name, const QString& valueHtml)
{
    return u"<tr><td style=\"padding-right:12px; white-space:nowrap\">%1</td>"
           "<td style=\"white-space:nowrap\">%2</td></tr>"_s.arg(name.toHtmlEscaped(), valueHtml);
}

QString section(const QString& title)
{
    return u"<tr><td colspan=\"2\" style=\"padding-top:8px\"><b>%1</b></td></tr>"_s.arg(title.toHtmlEscaped());
}

} // namespace

LearningCurveView::LearningCurveView(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void LearningCurveView::setValues(const QList<double>& values, qsizetype stopIndex)
{
    m_values = values;
    m_stopIndex = stopIndex;
    update();
}

QSize LearningCurveView::sizeHint() const
{
    return {200, fontMetrics().height() * 5};
}

void LearningCurveView::paintEvent(QPaintEvent*)
{
    QList<QPointF> points; // (index, value) of the finite values
    for (int i = 0; i < m_values.size(); ++i) {
        if (std::isfinite(m_values.at(i)))
            points.append({double(i), m_values.at(i)});
    }
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics metrics = fontMetrics();
    if (points.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No values printed yet"));
        return;
    }
    const auto [low, high] = std::minmax_element(points.cbegin(), points.cend(),
                                                 [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); });
    const double minY = low->y();
    const double maxY = high->y();
    const QString maxText = QString::number(maxY, 'g', 4);
    const QString minText = QString::number(minY, 'g', 4);
    const int labelWidth = std::max(metrics.horizontalAdvance(maxText), metrics.horizontalAdvance(minText)) + 6;
    const QRectF plot = QRectF(rect()).adjusted(labelWidth, metrics.height() / 2.0, -6, -metrics.height() / 2.0);

    painter.setPen(palette().color(QPalette::Mid));
    painter.drawLine(plot.topLeft(), plot.bottomLeft());
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRectF(0, plot.top() - metrics.height() / 2.0, labelWidth - 4, metrics.height()),
                     Qt::AlignRight | Qt::AlignVCenter, maxText);
    painter.drawText(QRectF(0, plot.bottom() - metrics.height() / 2.0, labelWidth - 4, metrics.height()),
                     Qt::AlignRight | Qt::AlignVCenter, minText);

    const double spanX = std::max(1.0, double(m_values.size() - 1));
    const double spanY = maxY > minY ? maxY - minY : 1.0;
    auto toPlot = [&](const QPointF& p) {
        const double y = maxY > minY ? (p.y() - minY) / spanY : 0.5;
        return QPointF(plot.left() + p.x() / spanX * plot.width(), plot.bottom() - y * plot.height());
    };
    // Up to the stop in the curve's colour, what the job printed after it (until the cancel reached
    // it) in grey: those values judged nothing.
    const bool stopped = m_stopIndex >= 0;
    QPainterPath path(toPlot(points.first()));
    QPainterPath after;
    for (const QPointF& p : points) {
        if (!stopped || p.x() <= double(m_stopIndex)) {
            path.lineTo(toPlot(p));
            continue;
        }
        if (after.elementCount() == 0)
            after.moveTo(path.currentPosition());
        after.lineTo(toPlot(p));
    }
    const QColor line = stateColor(model::TrialState::Running);
    painter.setPen(QPen(line, 1.5));
    painter.drawPath(path);
    if (!after.isEmpty()) {
        painter.setPen(QPen(palette().color(QPalette::Mid), 1.2, Qt::DashLine));
        painter.drawPath(after);
    }
    const double stopValue = stopped ? m_values.value(m_stopIndex) : 0.0;
    if (stopped && std::isfinite(stopValue)) {
        // The mark where the rule stopped it: a diamond in the pruned colour.
        const QPointF at = toPlot(QPointF(double(m_stopIndex), stopValue));
        const double r = 4.5;
        painter.setPen(QPen(Qt::white, 1));
        painter.setBrush(stateColor(model::TrialState::Pruned));
        painter.drawPolygon(
            QPolygonF{at + QPointF(0, -r), at + QPointF(r, 0), at + QPointF(0, r), at + QPointF(-r, 0)});
        return;
    }
    painter.setBrush(line);
    painter.drawEllipse(toPlot(points.last()), 2.5, 2.5);
}

TrialDetailsView::TrialDetailsView(model::TrialTableModel* trials, QWidget* parent)
    : QWidget(parent),
      m_trials(trials),
      m_title(new QLabel(this)),
      m_details(new QTextBrowser(this)),
      m_curveCaption(new QLabel(tr("<b>Learning curve</b>"), this)),
      m_curve(new LearningCurveView(this)),
      m_curveValues(new QLabel(this)),
      m_errorCaption(new QLabel(tr("<b>Error</b>"), this)),
      m_error(new QPlainTextEdit(this))
{
    m_title->setObjectName(u"trialTitle"_s);
    m_details->setObjectName(u"detailsText"_s);
    m_curveValues->setObjectName(u"curveValues"_s);
    m_error->setObjectName(u"trialError"_s);
    m_title->setTextFormat(Qt::RichText);
    // The details scroll by themselves when the pane is short; curve and error stay in view.
    m_details->setFrameShape(QFrame::NoFrame);
    m_details->viewport()->setAutoFillBackground(false);
    m_details->setMinimumHeight(fontMetrics().height() * 8);
    for (QLabel* label : {m_title, m_curveValues}) {
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    }
    m_curveValues->setWordWrap(true);
    m_error->setReadOnly(true);
    m_error->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_error->setMaximumHeight(fontMetrics().height() * 6);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_details, 1);
    layout->addWidget(m_curveCaption);
    layout->addWidget(m_curve);
    layout->addWidget(m_curveValues);
    layout->addWidget(m_errorCaption);
    layout->addWidget(m_error);

    connect(trials, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
                refreshIfShown(topLeft.row(), bottomRight.row());
            });
    connect(trials, &QAbstractItemModel::modelReset, this, &TrialDetailsView::refresh);
    refresh();
}

void TrialDetailsView::showTrial(qint64 id)
{
    m_trialId = id;
    refresh();
}

void TrialDetailsView::setNow(const QDateTime& now)
{
    m_now = now;
    const int row = m_trialId != 0 ? m_trials->rowOfTrial(m_trialId) : -1;
    if (row >= 0 && !model::isTerminal(m_trials->trialAt(row).state))
        refresh();
}

void TrialDetailsView::refreshIfShown(int firstRow, int lastRow)
{
    const int row = m_trials->rowOfTrial(m_trialId);
    if (row >= firstRow && row <= lastRow)
        refresh();
}

void TrialDetailsView::refresh()
{
    const int row = m_trialId != 0 ? m_trials->rowOfTrial(m_trialId) : -1;
    const bool shown = row >= 0;
    for (QWidget* w : std::initializer_list<QWidget*>{m_details, m_curveCaption, m_curve, m_curveValues})
        w->setVisible(shown);
    if (!shown) {
        m_title->setText(tr("<i>Select a trial to see its details.</i>"));
        m_details->clear();
        m_errorCaption->hide();
        m_error->hide();
        return;
    }
    const model::TrialRecord& trial = m_trials->trialAt(row);
    m_title->setText(tr("<big><b>Trial %1</b></big> &nbsp; <span style=\"color:%2\">&#9679;</span> %3")
                         .arg(trial.id)
                         .arg(stateColor(trial.state).name(), model::toString(trial.state)));
    const int scroll = m_details->verticalScrollBar()->value(); // live updates must not jump
    m_details->setHtml(detailsHtml(trial));
    m_details->verticalScrollBar()->setValue(scroll);

    m_curve->setValues(trial.intermediate, stopIndex(trial));
    QStringList values;
    for (double value : trial.intermediate)
        values.append(QString::number(value, 'g', 6));
    m_curveValues->setText(values.isEmpty()
                               ? tr("No values yet.")
                               : tr("%n value(s): %1", nullptr, int(values.size())).arg(values.join(u", "_s)));

    const bool hasError = !trial.error.isEmpty();
    m_errorCaption->setVisible(hasError);
    m_error->setVisible(hasError);
    if (m_error->toPlainText() != trial.error)
        m_error->setPlainText(trial.error);
}

QString TrialDetailsView::detailsHtml(const model::TrialRecord& trial) const
{
    const model::Campaign& campaign = m_trials->campaign();
    QString html = u"<table cellspacing=\"0\" cellpadding=\"1\">"_s;
    html += section(tr("Parameters"));
    for (int i = 0; i < campaign.parameters.size(); ++i) {
        const model::Parameter& parameter = campaign.parameters.at(i);
        const QString value = model::Campaign::formatValue(trial.values.value(i));
        const bool isDefault = parameter.defaultValue.isValid() && !value.isEmpty()
            && model::Campaign::formatValue(parameter.defaultValue) == value;
        html +=
            row(parameter.name, value.toHtmlEscaped() + (isDefault ? u" <i>(%1)</i>"_s.arg(tr("default")) : QString()));
    }

    html += section(tr("Result"));
    html += row(campaign.objective.metric, trial.value ? u"<b>%1</b>"_s.arg(number(*trial.value)) : u"—"_s);
    if (const auto stop = stopPoint(trial)) {
        // Short: the pane is narrow, and the curve below has every digit.
        const QString at = tr("step %1 (%2)").arg(stop->step).arg(QString::number(stop->value, 'g', 6));
        html += row(trial.state == model::TrialState::Pruned ? tr("Stopped at") : tr("Stop asked at"), at);
    }
    html += row(tr("Job ID"), trial.jobId.isEmpty() ? u"—"_s : trial.jobId.toHtmlEscaped());
    html += row(tr("Attempt"), QString::number(trial.attempt));
    html += row(tr("Token"), trial.token.toHtmlEscaped());

    html += section(tr("Search"));
    html += row(tr("Stage"), QString::number(trial.labels.stage));
    html += row(tr("Direction"), trial.labels.direction.isEmpty() ? u"—"_s : trial.labels.direction.toHtmlEscaped());
    html += row(tr("Batch"), QString::number(trial.labels.batch));

    html += section(tr("Times"));
    html += row(tr("Created"), timestamp(trial.createdAt));
    html += row(tr("Submitted"), timestamp(trial.submittedAt));
    html += row(tr("Started"), timestamp(trial.startedAt));
    html += row(tr("Finished"), timestamp(trial.finishedAt));
    const auto queued = queuedSeconds(trial, m_now);
    const auto elapsed = elapsedSeconds(trial, m_now);
    html += row(tr("Queued"), queued ? formatDuration(*queued) : u"—"_s);
    html += row(tr("Elapsed"), elapsed ? formatDuration(*elapsed) : u"—"_s);
    html += u"</table>"_s;
    return html;
}

} // namespace sweepline::gui
