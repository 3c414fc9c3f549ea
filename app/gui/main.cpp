#include "gui/main/mainwindow.h"
#include "gui/screenshots.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Sweepline"));
    QApplication::setApplicationName(QStringLiteral("Sweepline"));
    QApplication::setApplicationVersion(QStringLiteral(SWEEPLINE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Automatic hyperparameter tuning on supercomputers."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("campaign"), QStringLiteral("A campaign file to open."),
                                 QStringLiteral("[CAMPAIGN.json]"));
    const QCommandLineOption store(QStringLiteral("store"), QStringLiteral("Keep the campaign's state in DIR."),
                                   QStringLiteral("DIR"));
    const QCommandLineOption screenshots(QStringLiteral("screenshots"),
                                         QStringLiteral("Run the campaign to its end, save a picture of every panel "
                                                        "into DIR, and quit."),
                                         QStringLiteral("DIR"));
    parser.addOption(store);
    parser.addOption(screenshots);
    parser.process(app);

    sweepline::gui::MainWindow window;
    window.show();
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty() && !window.openCampaign(positional.first(), parser.value(store)))
        return 2;
    if (parser.isSet(screenshots)) {
        if (positional.isEmpty()) {
            qCritical("--screenshots needs a campaign file");
            return 2;
        }
        sweepline::gui::captureAfterRun(window, parser.value(screenshots));
    }
    return QApplication::exec();
}
