#pragma once

#include "model/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace sweepline::remote::ssh {

// The most a Read or ReadFrom brings back: a ReadFrom answer of this size may have more behind it.
inline constexpr qsizetype kMaxAgentReadBytes = qsizetype(64) * 1024;

// One operation for the login-node helper (resources/remote/agent.sh).
struct AgentOperation {
    enum class Kind { Run, Read, Put, ReadFrom };
    Kind kind = Kind::Run;
    QString workingDirectory; // Run: where to run; empty: the home folder
    QStringList argv;         // Run: the program and its arguments, passed without any shell
    int atOnce = 1;           // Run: consecutive runs with atOnce > 1 run concurrently, at most atOnce of them
    QString path;             // Read, ReadFrom: the file to print; Put: the folder to write into (made if missing)
    QString name;             // Put: the file's name in that folder
    int mode = 0644;          // Put
    QByteArray content;       // Put: any bytes but NUL (see canPut)
    qint64 offset = 0;        // ReadFrom: the first byte to print

    static AgentOperation run(QStringList argv, QString workingDirectory = {})
    {
        AgentOperation op;
        op.argv = std::move(argv);
        op.workingDirectory = std::move(workingDirectory);
        return op;
    }
    // A run that may overlap its neighbours of the same kind: independent submissions, whose
    // programs mostly wait on the scheduler, take a fraction of the time when a few run at once.
    static AgentOperation runConcurrently(QStringList argv, QString workingDirectory, int atOnce)
    {
        AgentOperation op = run(std::move(argv), std::move(workingDirectory));
        op.atOnce = atOnce;
        return op;
    }
    static AgentOperation read(QString path)
    {
        AgentOperation op;
        op.kind = Kind::Read;
        op.path = std::move(path);
        return op;
    }
    // At most kMaxAgentReadBytes of an absolute path's file from byte offset on: what a job's stdout
    // gained since the last poll. It costs the helper one `dd`.
    static AgentOperation readFrom(QString path, qint64 offset)
    {
        AgentOperation op;
        op.kind = Kind::ReadFrom;
        op.path = std::move(path);
        op.offset = offset;
        return op;
    }
    // Consecutive puts cost the helper one `mkdir -p` and one `chmod` per mode, whatever their number.
    static AgentOperation put(QString folder, QString name, int mode, QByteArray content)
    {
        AgentOperation op;
        op.kind = Kind::Put;
        op.path = std::move(folder);
        op.name = std::move(name);
        op.mode = mode;
        op.content = std::move(content);
        return op;
    }
    // A bash variable cannot hold a NUL: such a file goes over SFTP instead.
    static bool canPut(const QByteArray& content) { return !content.contains('\0'); }
};

struct AgentResult {
    AgentOperation::Kind kind = AgentOperation::Kind::Run;
    int exitStatus = -1; // Run
    QByteArray out;      // Run: stdout; Read: the file's content (its first 64 KiB); ReadFrom: from the offset on
    QByteArray err;      // Run: stderr
    bool exists = false; // Read, ReadFrom
    QString refusal;     // Read, ReadFrom, !exists: why a file that is there was not read (a symlink, another user's)
};

// NUL-separated fields; a field holding a NUL cannot be sent and is refused, and so is a put whose
// folder is not absolute or whose name is not a plain file name, and a readFrom of a path that is not
// absolute or from a negative offset.
model::Result<QByteArray> encodeAgentRequest(const QList<AgentOperation>& operations);

// One result per operation, in order; a reply cut short (a lost connection) is a failure. When the
// helper itself stopped at an operation (a put it could not write), the failure says why and
// *stoppedAt is that operation's index: nothing after it ran. Otherwise *stoppedAt is -1.
model::Result<QList<AgentResult>> decodeAgentReply(const QByteArray& reply, qsizetype expectedCount,
                                                   qsizetype* stoppedAt = nullptr);

// One answer of the helper's --serve mode, fed with what arrives, in pieces of any size: "A\n" when
// the helper takes the request (before anything of it runs), then chunks "C <n>\n" + n bytes of the
// reply (decodeAgentReply's format), then "Z\n". The first answer of a helper is preceded by
// whatever the login shell printed and the helper's marker line (see ServiceMarkerScanner).
class ServedAnswerReader {
public:
    enum class State { AwaitingAck, Taken, Complete, Malformed };
    void feed(const QByteArray& bytes);
    State state() const { return m_state; }
    const QByteArray& reply() const { return m_reply; } // the chunks so far
    qsizetype bytesAfterEnd() const { return m_state == State::Complete ? m_pending.size() : 0; }

private:
    QByteArray m_pending;
    QByteArray m_reply;
    State m_state = State::AwaitingAck;
};

// Finds the line "<marker>\n" that a freshly started helper prints before it serves, in what arrives
// in pieces of any size, dropping what the login shell printed before it (at most kMaxPreamble bytes:
// more is a shell that never starts the helper, or not ours). The marker is chosen per start, so
// nothing a banner prints can pass for it.
class ServiceMarkerScanner {
public:
    static constexpr qsizetype kMaxPreamble = qsizetype(256) * 1024;
    enum class State { Searching, Found, TooLong };
    explicit ServiceMarkerScanner(const QByteArray& marker) : m_marker(marker + '\n') {}
    // Returns what came after the marker line once it is found (empty while searching).
    QByteArray feed(const QByteArray& bytes);
    State state() const { return m_state; }
    // What was dropped (the banner): for error messages.
    QByteArray preamble() const { return m_pending.left(2000); }

private:
    QByteArray m_marker;
    QByteArray m_pending;
    State m_state = State::Searching;
};
// A fresh marker: "swl-" and random letters and digits, safe in any shell's command line.
QByteArray newServiceMarker();

// The helper's text, and the name it is installed under: a new version never runs an old helper.
const QByteArray& agentScript();
QString agentFileName();

} // namespace sweepline::remote::ssh
