#include "gui/screenshots.h"

#include "gui/charts/chartspanel.h"
#include "gui/charts/trialchart.h"
#include "gui/main/mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

QString slugOf(const QString& title)
{
    QString slug = title.toLower();
    slug.replace(u' ', u'-');
    slug.remove(u'&');
    return slug;
}

QString fileNameFor(int index, const QString& title, const QString& part = {})
{
    const QString suffix = part.isEmpty() ? QString() : u'-' + slugOf(part);
    return u"%1-%2%3.png"_s.arg(index + 1, 2, 10, QChar(u'0')).arg(slugOf(title), suffix);
}

void save(MainWindow& window, const QString& path)
{
    // Let layouts and charts settle before the picture is taken.
    for (int pass = 0; pass < 5; ++pass)
        QApplication::processEvents();
    if (!window.grab().save(path))
        qWarning("cannot save %s", qPrintable(path));
}

void captureAll(MainWindow& window, const QString& directory)
{
    QDir().mkpath(directory);
    const QDir dir(directory);
    QTabWidget* tabs = window.panels();
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        if (auto* charts = qobject_cast<ChartsPanel*>(tabs->widget(i))) {
            // One picture per chart, since the panel shows only one at a time; the panel's own
            // picture shows the search transition, the figure a tuning run is judged by.
            for (ChartsPanel::ChartKind kind : ChartsPanel::allCharts()) {
                charts->setCurrentChart(kind);
                // A chart redraws on a coalescing timer after its tab shows: draw it now.
                charts->chart(kind)->flush();
                save(window, dir.filePath(fileNameFor(i, tabs->tabText(i), ChartsPanel::title(kind))));
            }
            charts->setCurrentChart(ChartsPanel::ChartKind::Transition);
        }
        if (auto* form = tabs->widget(i)->findChild<QScrollArea*>()) {
            // A long form scrolls: its end (the job and its script) gets a picture of its own.
            form->verticalScrollBar()->setValue(form->verticalScrollBar()->maximum());
            save(window, dir.filePath(fileNameFor(i, tabs->tabText(i), u"end"_s)));
            form->verticalScrollBar()->setValue(0);
        }
        save(window, dir.filePath(fileNameFor(i, tabs->tabText(i))));
    }
}

} // namespace

void captureAfterRun(MainWindow& window, const QString& directory)
{
    window.setUnattended(true);
    // A run that cannot start or fails ends the program with an error: no picture of a failure.
    QObject::connect(window.runController(), &RunController::failedToStart, &window, [] { QApplication::exit(1); });
    QObject::connect(&window, &MainWindow::runFinished, &window,
                     [&window, directory](const engine::RunSummary& summary) {
                         if (!summary.ok) {
                             QApplication::exit(1);
                             return;
                         }
                         // A short pause lets the last trial's update reach every panel.
                         QTimer::singleShot(500, &window, [&window, directory] {
                             captureAll(window, directory);
                             QApplication::quit();
                         });
                     });
    QTimer::singleShot(0, &window, [&window] { window.startRun(); });
}

} // namespace sweepline::gui
