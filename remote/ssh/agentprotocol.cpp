#include "remote/ssh/agentprotocol.h"

#include <QCryptographicHash>
#include <QFile>

namespace sweepline::remote::ssh {

using model::Result;

namespace {

bool appendField(QByteArray& out, const QString& field)
{
    const QByteArray bytes = field.toUtf8();
    if (bytes.contains('\0'))
        return false;
    out += bytes;
    out += '\0';
    return true;
}

} // namespace

Result<QByteArray> encodeAgentRequest(const QList<AgentOperation>& operations)
{
    QByteArray out;
    for (const AgentOperation& op : operations) {
        bool ok = true;
        if (op.kind == AgentOperation::Kind::Run) {
            if (op.argv.isEmpty())
                return Result<QByteArray>::failure(QStringLiteral("an empty command cannot be run"));
            ok = appendField(out, QStringLiteral("run")) && appendField(out, op.workingDirectory)
                 && appendField(out, QString::number(op.argv.size()));
            for (const QString& arg : op.argv)
                ok = ok && appendField(out, arg);
        } else {
            ok = appendField(out, QStringLiteral("read")) && appendField(out, op.path);
        }
        if (!ok)
            return Result<QByteArray>::failure(QStringLiteral("a command argument holds a NUL character"));
    }
    return out;
}

Result<QList<AgentResult>> decodeAgentReply(const QByteArray& reply, qsizetype expectedCount)
{
    using R = Result<QList<AgentResult>>;
    QList<AgentResult> results;
    bool ended = false;
    const QList<QByteArray> lines = reply.split('\n');
    for (const QByteArray& line : lines) {
        if (line.isEmpty())
            continue;
        const QList<QByteArray> f = line.split(' ');
        if (f.at(0) == "END") {
            ended = f.size() == 2 && f.at(1).toLongLong() == expectedCount;
            break;
        }
        if (f.size() < 4 || f.at(1).toLongLong() != results.size())
            return R::failure(QStringLiteral("the cluster helper answered out of order: %1").arg(QString::fromUtf8(line.left(80))));
        AgentResult r;
        if (f.at(0) == "R" && f.size() == 5) {
            r.kind = AgentOperation::Kind::Run;
            r.exitStatus = f.at(2).toInt();
            r.out = QByteArray::fromBase64(f.at(3));
            r.err = QByteArray::fromBase64(f.at(4));
        } else if (f.at(0) == "F") {
            r.kind = AgentOperation::Kind::Read;
            r.exists = f.at(2) == "1";
            r.out = QByteArray::fromBase64(f.at(3));
        } else {
            return R::failure(QStringLiteral("the cluster helper gave an unreadable line: %1").arg(QString::fromUtf8(line.left(80))));
        }
        results.append(r);
    }
    if (!ended || results.size() != expectedCount)
        return R::failure(QStringLiteral("the cluster helper's answer was cut short after %1 of %2 operations")
                              .arg(results.size()).arg(expectedCount));
    return results;
}

const QByteArray& agentScript()
{
    static const QByteArray script = [] {
        QFile f(QStringLiteral(":/sweepline/remote/agent.sh"));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    return script;
}

QString agentFileName()
{
    const QByteArray digest = QCryptographicHash::hash(agentScript(), QCryptographicHash::Sha256).toHex().left(12);
    return QStringLiteral("agent-%1.sh").arg(QString::fromLatin1(digest));
}

} // namespace sweepline::remote::ssh
