#pragma once

#include "model/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace sweepline::remote::ssh {

// One operation for the login-node helper (resources/remote/agent.sh).
struct AgentOperation {
    enum class Kind { Run, Read };
    Kind kind = Kind::Run;
    QString workingDirectory; // Run: where to run; empty: the home folder
    QStringList argv;         // Run: the program and its arguments, passed without any shell
    QString path;             // Read: the file to print

    static AgentOperation run(QStringList argv, QString workingDirectory = {})
    {
        return {Kind::Run, std::move(workingDirectory), std::move(argv), {}};
    }
    static AgentOperation read(QString path) { return {Kind::Read, {}, {}, std::move(path)}; }
};

struct AgentResult {
    AgentOperation::Kind kind = AgentOperation::Kind::Run;
    int exitStatus = -1;  // Run
    QByteArray out;       // Run: stdout; Read: the file's content (its first 64 KiB)
    QByteArray err;       // Run: stderr
    bool exists = false;  // Read
};

// NUL-separated fields; a field holding a NUL cannot be sent and is refused.
model::Result<QByteArray> encodeAgentRequest(const QList<AgentOperation>& operations);

// One result per operation, in order; a reply cut short (a lost connection) is a failure.
model::Result<QList<AgentResult>> decodeAgentReply(const QByteArray& reply, qsizetype expectedCount);

// The helper's text, and the name it is installed under: a new version never runs an old helper.
const QByteArray& agentScript();
QString agentFileName();

} // namespace sweepline::remote::ssh
