#include "gui/campaign/scriptpreview.h"

#include "engine/jobscript.h"
#include "model/commandtemplate.h"
#include "model/trialstore.h"
#include "remote/scheduler.h"
#include "remote/schedulers/adapterbase.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

// The shape of a store's first trial, with "1" for its store id (random, made with the store).
constexpr char kStoreId[] = "1";
constexpr char kToken[] = "sw1-1";

// The validator reads the time limit; ask it about this one field.
std::optional<qint64> timeLimitSeconds(const QString& text)
{
    if (text.isEmpty())
        return std::nullopt;
    model::Campaign probe = model::minimalValidCampaign();
    probe.job.timeLimit = text;
    const model::ParseOutcome outcome = model::parseCampaign(model::toJson(probe));
    return outcome.campaign ? outcome.campaign->job.timeLimitSeconds : std::nullopt;
}

QString remoteJobDirectory(const model::Campaign& campaign)
{
    const QString user = campaign.cluster.user.isEmpty() ? u"user"_s : campaign.cluster.user;
    const QString home = u"/home/"_s + user;
    QString base = campaign.cluster.workdir;
    if (base == u"~")
        base = home;
    else if (base.startsWith(u"~/"))
        base = home + base.mid(1);
    else if (!base.startsWith(u'/'))
        base = base.isEmpty() ? home : home + u'/' + base;
    // The first attempt of trial 1 (see ClusterBackend::remoteDirectory).
    return QDir::cleanPath(base + u'/' + campaign.name + u'/' + QLatin1String(kStoreId) + u"/1.1"_s);
}

} // namespace

ScriptPreview previewJobScript(const model::Campaign& campaign, const QString& scheduler, const QString& stateDirectory)
{
    ScriptPreview preview;
    QHash<QString, QString> values;
    for (const model::Parameter& p : campaign.parameters) {
        if (p.candidates.isEmpty()) {
            values.insert(p.name, u"{%1}"_s.arg(p.name));
            preview.notes.append(u"%1 has no valid value yet."_s.arg(p.name));
        } else {
            values.insert(p.name, model::Campaign::formatValue(p.candidates.at(p.defaultIndex.value_or(0))));
        }
    }

    engine::JobScriptInput input;
    input.campaign = campaign.name;
    input.trialId = 1;
    input.token = QString::fromLatin1(kToken);
    input.setup = campaign.cluster.setup;
    input.timeLimitSeconds = timeLimitSeconds(campaign.job.timeLimit);
    auto command = model::CommandTemplate::parse(campaign.job.command);
    if (command) {
        QHash<QString, QString> known;
        for (const QString& name : command->placeholders())
            known.insert(name, values.value(name, u"{%1}"_s.arg(name)));
        input.command = command->render(known);
    } else {
        input.command = u"# the command cannot be rendered: "_s + command.error();
    }

    const bool local = scheduler == u"local";
    if (local) {
        const QString store = !stateDirectory.isEmpty() ? stateDirectory
            : campaign.sourcePath.isEmpty()             ? QDir::current().filePath(campaign.name + u".sweepline"_s)
                                                        : model::defaultStateDirectory(campaign.sourcePath);
        input.runDirectory = QDir(store).filePath(u"runs/1"_s);
        if (input.timeLimitSeconds)
            preview.notes.append(u"On this computer Sweepline itself stops a run past its time limit."_s);
    } else {
        input.runDirectory = remoteJobDirectory(campaign);
        preview.notes.append(
            u"The folder assumes the home folder /home/%1; the account's real one is used. "
            "The \"%2\" after the campaign's name stands for the store's own id."_s.arg(
                campaign.cluster.user.isEmpty() ? u"user"_s : campaign.cluster.user, QLatin1String(kStoreId)));
        const auto adapter = remote::makeSchedulerAdapter(scheduler);
        if (!adapter) {
            preview.notes.append(u"Unknown scheduler \"%1\"."_s.arg(scheduler));
        } else {
            remote::JobSpec spec;
            spec.token = input.token;
            spec.jobDirectory = input.runDirectory;
            spec.timeLimitSeconds = input.timeLimitSeconds;
            spec.directives = campaign.cluster.directives;
            if (auto ok = remote::checkJobSpec(*adapter, spec); !ok)
                preview.notes.append(ok.error());
            input.directiveLines = adapter->directiveLines(spec);
        }
    }
    preview.script = engine::renderJobScript(input);
    return preview;
}

} // namespace sweepline::gui
