#pragma once

#include "remote/ssh/agentprotocol.h"
#include "remote/ssh/sshsession.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>

namespace sweepline::remote::ssh {

struct AgentAnswer {
    bool ok = false;
    QByteArray reply;   // ok: the helper's reply for decodeAgentReply, cut short if the helper died in it
    QByteArray err;     // what the helper printed on stderr meanwhile
    model::Error error; // !ok: what went wrong (Timeout: no answer in time)
    bool taken = false; // !ok: the helper took the request, or may have: some of it may have run
};

// The login-node helper serving one session's requests on one channel (agent.sh --serve): the
// login shell that sshd runs first, with whatever the site's rc files load, starts once per
// session instead of once per command. A helper that ended between two requests is started again,
// and a request it never took goes to the new one: the "A" it sends before running anything tells
// the two cases apart. Each start passes a new marker ("--serve <marker>"), which the helper prints
// before it serves: what the login shell printed before it (banners, `module` messages) is dropped.
class AgentService {
public:
    // commandLine: how to start the helper, without "--serve" (e.g. "bash /home/u/.sweepline/agent-X.sh").
    AgentService(SshSession& session, QByteArray commandLine) : m_session(session), m_command(std::move(commandLine)) {}
    void setCommandLine(QByteArray commandLine) { m_command = std::move(commandLine); }
    // Runs before a helper that ended is started again within the session (e.g. the installed
    // helper's check): a failure is the start's.
    void setBeforeRestart(std::function<model::Status()> check) { m_beforeRestart = std::move(check); }

    model::Status start();
    // Runs a request file the client uploaded. It gives up after the session's timeout without any
    // output, or after totalLimit in all (at least the session's timeout): a long request that keeps
    // reporting progress may run on.
    AgentAnswer ask(const QString& requestFile, std::chrono::seconds totalLimit);
    int starts() const { return m_starts; }

private:
    void stop();
    AgentAnswer askOnce(const QByteArray& line, std::chrono::seconds totalLimit, bool& notTaken);

    SshSession& m_session;
    QByteArray m_command;
    std::function<model::Status()> m_beforeRestart;
    std::optional<ServiceMarkerScanner> m_awaitingMarker; // set from start until the marker arrived
    int m_starts = 0;
};

} // namespace sweepline::remote::ssh
