#include "cli/cancelcommand.h"
#include "cli/console.h"
#include "cli/reportcommands.h"
#include "cli/runcommand.h"

#include <QCoreApplication>
#include <QHash>
#include <QStringList>

using namespace sweepline::cli;

namespace {

const char kUsage[] = R"(usage: sweepline-cli COMMAND CAMPAIGN.json [options]

commands:
  validate CAMPAIGN.json            check the campaign file; every problem is listed
  run CAMPAIGN.json                 run the campaign, or resume it, to completion
      --store DIR                   keep the campaign's state in DIR (default: CAMPAIGN.sweepline
                                    beside the file)
      --accept-changed-definition   continue a store made from an earlier definition of the campaign
      --accept-new-host-key         trust and record the login node's host key on first contact
                                    (its SHA-256 fingerprint is printed); a changed key is always refused
  cancel CAMPAIGN.json [--trial N] [--store DIR]
                                    cancel one trial, or every trial not finished yet
  status CAMPAIGN.json [--store DIR]
                                    trials per state, and the best so far
  export CAMPAIGN.json [--store DIR] [--csv FILE] [--json FILE]
                                    write every trial as CSV and/or JSON

exit codes: 0 done, 1 failure at run time or interrupted, 2 invalid input)";

struct Arguments {
    QString command;
    QString campaign;
    QHash<QString, QString> values; // options that take a value
    bool acceptChanged = false;
    bool acceptHostKey = false;
    QString error;
};

Arguments parse(const QStringList& args)
{
    static const QStringList valued{QStringLiteral("--store"), QStringLiteral("--csv"), QStringLiteral("--json"),
                                    QStringLiteral("--trial")};
    Arguments a;
    QStringList positional;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString& arg = args.at(i);
        if (valued.contains(arg)) {
            if (i + 1 >= args.size()) {
                a.error = arg + QStringLiteral(" needs a value");
                return a;
            }
            a.values.insert(arg, args.at(++i));
        } else if (arg == QLatin1String("--accept-changed-definition")) {
            a.acceptChanged = true;
        } else if (arg == QLatin1String("--accept-new-host-key")) {
            a.acceptHostKey = true;
        } else if (arg.startsWith(QLatin1Char('-')) && arg.size() > 1) {
            a.error = QStringLiteral("unknown option %1").arg(arg);
            return a;
        } else {
            positional.append(arg);
        }
    }
    if (positional.size() != 2) {
        a.error = positional.isEmpty() ? QStringLiteral("no command given")
                                       : QStringLiteral("expected a command and one campaign file");
        return a;
    }
    a.command = positional.at(0);
    a.campaign = positional.at(1);
    return a;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sweepline-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SWEEPLINE_VERSION));

    const QStringList args = QCoreApplication::arguments();
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        printOut(QString::fromUtf8(kUsage));
        return ExitDone;
    }
    if (args.contains(QStringLiteral("--version"))) {
        printOut(QStringLiteral("sweepline-cli ") + QCoreApplication::applicationVersion());
        return ExitDone;
    }
    const Arguments a = parse(args);
    if (!a.error.isEmpty()) {
        printErr(QStringLiteral("sweepline-cli: %1 (see sweepline-cli --help)").arg(a.error));
        return ExitInvalidInput;
    }
    const QString store = a.values.value(QStringLiteral("--store"));
    const bool noExportTarget = !a.values.contains(QStringLiteral("--csv")) && !a.values.contains(QStringLiteral("--json"));
    if (a.command != QLatin1String("export") && !noExportTarget) {
        printErr(QStringLiteral("sweepline-cli: --csv and --json go with export"));
        return ExitInvalidInput;
    }
    if (a.acceptChanged && a.command != QLatin1String("run")) {
        printErr(QStringLiteral("sweepline-cli: --accept-changed-definition goes with run"));
        return ExitInvalidInput;
    }
    if (a.acceptHostKey && a.command != QLatin1String("run") && a.command != QLatin1String("cancel")) {
        printErr(QStringLiteral("sweepline-cli: --accept-new-host-key goes with run or cancel"));
        return ExitInvalidInput;
    }
    std::optional<qint64> trial;
    if (a.values.contains(QStringLiteral("--trial"))) {
        bool ok = false;
        trial = a.values.value(QStringLiteral("--trial")).toLongLong(&ok);
        if (!ok || *trial < 1 || a.command != QLatin1String("cancel")) {
            printErr(QStringLiteral("sweepline-cli: --trial takes a trial number and goes with cancel"));
            return ExitInvalidInput;
        }
    }
    if (a.command == QLatin1String("validate"))
        return validateCampaign(a.campaign);
    if (a.command == QLatin1String("run"))
        return runCampaign({a.campaign, store, a.acceptChanged, a.acceptHostKey});
    if (a.command == QLatin1String("cancel"))
        return cancelTrials({a.campaign, store, trial, a.acceptHostKey});
    if (a.command == QLatin1String("status"))
        return showStatus(a.campaign, store);
    if (a.command == QLatin1String("export")) {
        if (noExportTarget) {
            printErr(QStringLiteral("sweepline-cli: export needs --csv FILE or --json FILE"));
            return ExitInvalidInput;
        }
        return exportTrials(a.campaign, store, a.values.value(QStringLiteral("--csv")),
                            a.values.value(QStringLiteral("--json")));
    }
    printErr(QStringLiteral("sweepline-cli: unknown command \"%1\" (see sweepline-cli --help)").arg(a.command));
    return ExitInvalidInput;
}
