#include "app/gui/screenshots.h"

#include "app/gui/main/mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QTabWidget>
#include <QTimer>

namespace sweepline::gui {

namespace {

QString fileNameFor(int index, const QString& title)
{
    QString slug = title.toLower();
    slug.replace(QLatin1Char(' '), QLatin1Char('-'));
    slug.remove(QLatin1Char('&'));
    return QStringLiteral("%1-%2.png").arg(index + 1, 2, 10, QLatin1Char('0')).arg(slug);
}

void captureAll(MainWindow& window, const QString& directory)
{
    QDir().mkpath(directory);
    QTabWidget* tabs = window.panels();
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        // Let layouts and charts settle before the picture is taken.
        for (int pass = 0; pass < 5; ++pass)
            QApplication::processEvents();
        window.grab().save(QDir(directory).filePath(fileNameFor(i, tabs->tabText(i))));
    }
}

} // namespace

void captureAfterRun(MainWindow& window, const QString& directory)
{
    QObject::connect(&window, &MainWindow::runFinished, &window, [&window, directory] {
        // A short pause lets the last trial's update reach every panel.
        QTimer::singleShot(500, &window, [&window, directory] {
            captureAll(window, directory);
            QApplication::quit();
        });
    });
    QTimer::singleShot(0, &window, [&window] { window.startRun(); });
}

} // namespace sweepline::gui
