#include "cli/cancelcommand.h"
#include "cli/console.h"
#include "cli/reportcommands.h"
#include "cli/runcommand.h"

#include <QCoreApplication>
#include <QHash>
#include <QStringList>

using namespace Qt::StringLiterals;

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
    static const QStringList valued{u"--store"_s, u"--csv"_s, u"--json"_s, u"--trial"_s};
    Arguments a;
    QStringList positional;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString& arg = args.at(i);
        if (valued.contains(arg)) {
            if (i + 1 >= args.size()) {
                a.error = arg + u" needs a value"_s;
                return a;
            }
            a.values.insert(arg, args.at(++i));
        } else if (arg == u"--accept-changed-definition"_s) {
            a.acceptChanged = true;
        } else if (arg == u"--accept-new-host-key"_s) {
            a.acceptHostKey = true;
        } else if (arg.startsWith(u'-') && arg.size() > 1) {
            a.error = u"unknown option %1"_s.arg(arg);
            return a;
        } else {
            positional.append(arg);
        }
    }
    if (positional.size() != 2) {
        a.error = positional.isEmpty() ? u"no command given"_s : u"expected a command and one campaign file"_s;
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
    QCoreApplication::setApplicationName(u"sweepline-cli"_s);
    QCoreApplication::setApplicationVersion(QString::fromUtf8(SWEEPLINE_VERSION));

    const QStringList args = QCoreApplication::arguments();
    if (args.contains(u"--help"_s) || args.contains(u"-h"_s)) {
        printOut(QString::fromUtf8(kUsage));
        return ExitDone;
    }
    if (args.contains(u"--version"_s)) {
        printOut(u"sweepline-cli "_s + QCoreApplication::applicationVersion());
        return ExitDone;
    }
    const Arguments a = parse(args);
    if (!a.error.isEmpty()) {
        printErr(u"sweepline-cli: %1 (see sweepline-cli --help)"_s.arg(a.error));
        return ExitInvalidInput;
    }
    const QString store = a.values.value(u"--store"_s);
    const bool noExportTarget = !a.values.contains(u"--csv"_s) && !a.values.contains(u"--json"_s);
    if (a.command != u"export"_s && !noExportTarget) {
        printErr(u"sweepline-cli: --csv and --json go with export"_s);
        return ExitInvalidInput;
    }
    if (a.acceptChanged && a.command != u"run"_s) {
        printErr(u"sweepline-cli: --accept-changed-definition goes with run"_s);
        return ExitInvalidInput;
    }
    if (a.acceptHostKey && a.command != u"run"_s && a.command != u"cancel"_s) {
        printErr(u"sweepline-cli: --accept-new-host-key goes with run or cancel"_s);
        return ExitInvalidInput;
    }
    std::optional<qint64> trial;
    if (a.values.contains(u"--trial"_s)) {
        bool ok = false;
        trial = a.values.value(u"--trial"_s).toLongLong(&ok);
        if (!ok || *trial < 1 || a.command != u"cancel"_s) {
            printErr(u"sweepline-cli: --trial takes a trial number and goes with cancel"_s);
            return ExitInvalidInput;
        }
    }
    if (a.command == u"validate"_s)
        return validateCampaign(a.campaign);
    if (a.command == u"run"_s)
        return runCampaign({a.campaign, store, a.acceptChanged, a.acceptHostKey});
    if (a.command == u"cancel"_s)
        return cancelTrials({a.campaign, store, trial, a.acceptHostKey});
    if (a.command == u"status"_s)
        return showStatus(a.campaign, store);
    if (a.command == u"export"_s) {
        if (noExportTarget) {
            printErr(u"sweepline-cli: export needs --csv FILE or --json FILE"_s);
            return ExitInvalidInput;
        }
        return exportTrials(a.campaign, store, a.values.value(u"--csv"_s), a.values.value(u"--json"_s));
    }
    printErr(u"sweepline-cli: unknown command \"%1\" (see sweepline-cli --help)"_s.arg(a.command));
    return ExitInvalidInput;
}
