#include "gui/main/mainwindow.h"
#include "gui/screenshots.h"

#include <QApplication>
#include <QCommandLineParser>

using namespace Qt::StringLiterals;

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Sweepline"_s);
    QApplication::setApplicationName(u"Sweepline"_s);
    QApplication::setApplicationVersion(QString::fromUtf8(SWEEPLINE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Automatic hyperparameter tuning on supercomputers."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(u"campaign"_s, u"A campaign file to open."_s, u"[CAMPAIGN.json]"_s);
    const QCommandLineOption store(u"store"_s, u"Keep the campaign's state in DIR."_s, u"DIR"_s);
    const QCommandLineOption screenshots(u"screenshots"_s,
                                         u"Run the campaign to its end, save a picture of every panel "
                                         "into DIR, and quit."_s,
                                         u"DIR"_s);
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
