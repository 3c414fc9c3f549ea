#include "gui/cluster/connectiontester.h"

#include "remote/ssh/endpoint.h"
#include "remote/ssh/sshworker.h"

#include <QThread>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

constexpr quint64 kRequestId = 1;

// Passes every question on, and remembers a host key the person declined, which the SSH layer
// reports in the command line's words.
class DecisionRecorder final : public remote::ssh::CredentialPrompter {
public:
    explicit DecisionRecorder(CredentialPrompter& prompter) : m_prompter(prompter) {}

    bool acceptNewHostKey(const remote::ssh::HostKeyInfo& key) override
    {
        const bool accepted = m_prompter.acceptNewHostKey(key);
        if (!accepted)
            declinedKey = key;
        return accepted;
    }
    std::optional<remote::ssh::SecretBuffer> passphrase(const QString& keyFile) override
    {
        return m_prompter.passphrase(keyFile);
    }
    std::optional<remote::ssh::SecretBuffer> password(const QString& user, const QString& host) override
    {
        return m_prompter.password(user, host);
    }
    std::optional<std::vector<remote::ssh::SecretBuffer>>
    keyboardInteractive(const QString& name, const QString& instruction,
                        const QList<remote::ssh::InteractivePrompt>& prompts) override
    {
        return m_prompter.keyboardInteractive(name, instruction, prompts);
    }

    std::optional<remote::ssh::HostKeyInfo> declinedKey;

private:
    CredentialPrompter& m_prompter;
};

QString describe(const remote::ssh::Endpoint& endpoint)
{
    QString text = endpoint.hostName;
    if (!endpoint.user.isEmpty())
        text = endpoint.user + u'@' + text;
    if (endpoint.port != 22)
        text += u':' + QString::number(endpoint.port);
    if (!endpoint.proxyCommand.isEmpty())
        text += u" (through a jump host)"_s;
    return text;
}

// Runs on the worker thread. notify is called there too and must be thread-safe.
template<typename Notify>
ConnectionReport probe(const model::ClusterSettings& settings, remote::ssh::CredentialPrompter& prompter, Notify notify)
{
    using namespace remote::ssh;
    ConnectionReport report;
    report.scheduler = settings.scheduler;
    notify(u"Reading the SSH configuration for %1…"_s.arg(settings.host));
    auto endpoint = resolveEndpoint(settings);
    if (!endpoint) {
        report.error = endpoint.error();
        report.errorCode = endpoint.errorCode();
        return report;
    }
    report.endpoint = describe(endpoint.value());
    notify(u"Connecting to %1…"_s.arg(report.endpoint));

    // One request: each command looked up by its own operation, the name passed as an argument
    // ("$1"), never inside the shell text.
    RemoteRequest request;
    const QStringList commands = ConnectionTester::schedulerCommands(settings.scheduler);
    for (const QString& command : commands)
        request.operations.append(AgentOperation::run({u"sh"_s, u"-c"_s, u"command -v \"$1\""_s, u"sh"_s, command}));
    request.operations.append(AgentOperation::run({u"uname"_s, u"-n"_s}));

    DecisionRecorder recorder(prompter);
    SshWorker worker(endpoint.value(), recorder, /*acceptNewHostKey=*/true);
    RemoteResponse response;
    // Same thread: execute() emits done() before it returns.
    QObject::connect(&worker, &SshWorker::done, [&response](quint64, const RemoteResponse& r) { response = r; });
    QObject::connect(&worker, &SshWorker::stateChanged, [&](ConnectionState state, const QString&) {
        if (state == ConnectionState::Connected)
            notify(u"Logged in; looking for the %1 commands…"_s.arg(settings.scheduler));
    });
    worker.execute(kRequestId, request);
    worker.shutdown();

    if (!response.ok) {
        report.errorCode = response.error.code;
        report.error = response.error.code == model::ErrorCode::HostKeyChanged && recorder.declinedKey
            ? u"the %1 key of %2 (%3) was not trusted, so nothing was sent"_s.arg(
                recorder.declinedKey->keyType, recorder.declinedKey->host, recorder.declinedKey->fingerprintSha256)
            : response.error.message;
        return report;
    }
    report.connected = true;
    report.home = response.home;
    for (int i = 0; i < commands.size() && i < response.results.size(); ++i) {
        const AgentResult& result = response.results.at(i);
        const QString path = result.exitStatus == 0 ? QString::fromUtf8(result.out).trimmed() : QString();
        report.commands.append({commands.at(i), path});
    }
    if (response.results.size() > commands.size())
        report.loginNode = QString::fromUtf8(response.results.at(commands.size()).out).trimmed();
    return report;
}

} // namespace

bool ConnectionReport::schedulerFound() const
{
    return connected && missingCommands().isEmpty();
}

QStringList ConnectionReport::missingCommands() const
{
    QStringList missing;
    for (const CommandCheck& check : commands) {
        if (!check.found())
            missing.append(check.name);
    }
    return missing;
}

ConnectionTester::ConnectionTester(remote::ssh::CredentialPrompter& prompter, QObject* parent)
    : QObject(parent),
      m_prompter(prompter)
{
    qRegisterMetaType<ConnectionReport>();
}

ConnectionTester::~ConnectionTester()
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

QStringList ConnectionTester::schedulerCommands(const QString& scheduler)
{
    // What the adapters in remote/schedulers run: submit, status, cancel (and lookups with them).
    if (scheduler == u"slurm")
        return {u"sbatch"_s, u"squeue"_s, u"scancel"_s};
    if (scheduler == u"pjm")
        return {u"pjsub"_s, u"pjstat"_s, u"pjdel"_s};
    if (scheduler == u"pbs")
        return {u"qsub"_s, u"qstat"_s, u"qdel"_s};
    if (scheduler == u"ssh")
        return {u"bash"_s, u"setsid"_s, u"ps"_s};
    return {};
}

bool ConnectionTester::start(const model::ClusterSettings& settings)
{
    if (m_thread || !settings.isRemote())
        return false;
    // notify and the result cross back to this object's thread as queued calls.
    const auto notify = [this](const QString& message) {
        QMetaObject::invokeMethod(
            this, [this, message] { emit progress(message); }, Qt::QueuedConnection);
    };
    m_thread = QThread::create([this, settings, notify] {
        const ConnectionReport report = probe(settings, m_prompter, notify);
        QMetaObject::invokeMethod(
            this,
            [this, report] {
                m_thread->wait();
                delete m_thread;
                m_thread = nullptr;
                emit finished(report);
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(u"connection test"_s);
    m_thread->start();
    return true;
}

} // namespace sweepline::gui
