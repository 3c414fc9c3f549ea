#include "remote/ssh/agentprotocol.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>

#include <algorithm>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace sweepline::remote::ssh {

using model::Result;

namespace {

bool appendField(QByteArray& out, const QByteArray& bytes)
{
    if (bytes.contains('\0'))
        return false;
    out += bytes;
    out += '\0';
    return true;
}

bool appendField(QByteArray& out, const QString& field)
{
    return appendField(out, field.toUtf8());
}

bool isPlainFileName(const QString& name)
{
    return !name.isEmpty() && name != u"."_s && name != u".."_s && !name.contains(u'/');
}

bool isDigits(const QByteArray& text)
{
    return !text.isEmpty() && text.size() <= 18
        && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads the helper's framing: header lines, each followed by payloads of announced length.
class ReplyReader {
public:
    explicit ReplyReader(const QByteArray& reply) : m_reply(reply) {}

    bool atEnd() const { return m_pos >= m_reply.size(); }

    std::optional<QList<QByteArray>> header()
    {
        const qsizetype end = m_reply.indexOf('\n', m_pos);
        if (end < 0)
            return std::nullopt;
        const QByteArray line = m_reply.mid(m_pos, end - m_pos);
        m_pos = end + 1;
        m_lastHeader = line;
        return line.split(' ');
    }

    // "<n>": n raw bytes; "b<n>": n characters of base64.
    bool payload(const QByteArray& length, QByteArray& into)
    {
        const bool base64 = length.startsWith('b');
        const QByteArray digits = base64 ? length.mid(1) : length;
        if (!isDigits(digits))
            return false;
        const qsizetype n = digits.toLongLong();
        if (n > m_reply.size() - m_pos)
            return false;
        const QByteArray raw = m_reply.mid(m_pos, n);
        m_pos += n;
        if (!base64) {
            into = raw;
            return true;
        }
        auto decoded = QByteArray::fromBase64Encoding(raw, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return false;
        into = std::move(decoded.decoded);
        return true;
    }

    QString lastHeader() const { return QString::fromUtf8(m_lastHeader.left(80)); }

private:
    const QByteArray& m_reply;
    qsizetype m_pos = 0;
    QByteArray m_lastHeader;
};

} // namespace

Result<QByteArray> encodeAgentRequest(const QList<AgentOperation>& operations)
{
    QByteArray out;
    for (const AgentOperation& op : operations) {
        bool ok = true;
        switch (op.kind) {
        case AgentOperation::Kind::Run:
            if (op.argv.isEmpty())
                return Result<QByteArray>::failure(model::ErrorCode::InvalidInput, u"an empty command cannot be run"_s);
            if (op.atOnce < 1)
                return Result<QByteArray>::failure(model::ErrorCode::InvalidInput,
                                                   u"operations at once must be at least 1"_s);
            ok = op.atOnce == 1 ? appendField(out, u"run"_s)
                                : appendField(out, u"prun"_s) && appendField(out, QString::number(op.atOnce));
            ok = ok && appendField(out, op.workingDirectory) && appendField(out, QString::number(op.argv.size()));
            for (const QString& arg : op.argv)
                ok = ok && appendField(out, arg);
            break;
        case AgentOperation::Kind::Read:
            ok = appendField(out, u"read"_s) && appendField(out, op.path);
            break;
        case AgentOperation::Kind::ReadFrom:
            if (!op.path.startsWith(u'/') || op.offset < 0)
                return Result<QByteArray>::failure(
                    model::ErrorCode::InvalidInput,
                    u"cannot read \"%1\" from byte %2: an absolute path and an offset of at least 0 are needed"_s
                        .arg(op.path)
                        .arg(op.offset));
            ok = appendField(out, u"readfrom"_s) && appendField(out, op.path)
                && appendField(out, QString::number(op.offset));
            break;
        case AgentOperation::Kind::Put:
            if (!op.path.startsWith(u'/') || !isPlainFileName(op.name) || op.mode < 0 || op.mode > 07777)
                return Result<QByteArray>::failure(
                    model::ErrorCode::InvalidInput,
                    u"cannot write \"%1\" into \"%2\": a file name in an absolute folder is needed"_s.arg(op.name,
                                                                                                          op.path));
            ok = appendField(out, u"put"_s) && appendField(out, op.path) && appendField(out, op.name)
                && appendField(out, QString::number(op.mode, 8)) && appendField(out, op.content);
            break;
        }
        if (!ok)
            return Result<QByteArray>::failure(model::ErrorCode::InvalidInput,
                                               u"a command argument or file holds a NUL character"_s);
    }
    return out;
}

Result<QList<AgentResult>> decodeAgentReply(const QByteArray& reply, qsizetype expectedCount, qsizetype* stoppedAt)
{
    using R = Result<QList<AgentResult>>;
    if (stoppedAt)
        *stoppedAt = -1;
    QList<AgentResult> results;
    ReplyReader reader(reply);
    const auto unreadable = [&] {
        return R::failure(model::ErrorCode::RemoteRefused,
                          u"the cluster helper gave an unreadable answer at operation %1: %2"_s.arg(results.size())
                              .arg(reader.lastHeader()));
    };
    while (!reader.atEnd()) {
        const auto f = reader.header();
        if (!f)
            break; // cut short in the middle of a line
        const QByteArray& tag = f->at(0);
        if (tag == "END") {
            if (f->size() == 2 && f->at(1) == QByteArray::number(expectedCount) && results.size() == expectedCount)
                return results;
            break;
        }
        if (f->size() < 2 || !isDigits(f->at(1)) || f->at(1).toLongLong() != results.size())
            return R::failure(model::ErrorCode::RemoteRefused,
                              u"the cluster helper answered out of order: %1"_s.arg(reader.lastHeader()));
        AgentResult r;
        if (tag == "R" && f->size() == 5) {
            bool ok = false;
            r.kind = AgentOperation::Kind::Run;
            r.exitStatus = f->at(2).toInt(&ok);
            if (!ok || !reader.payload(f->at(3), r.out) || !reader.payload(f->at(4), r.err))
                return unreadable();
        } else if ((tag == "F" || tag == "O") && f->size() == 4 && (f->at(2) == "1" || f->at(2) == "0")) {
            r.kind = tag == "F" ? AgentOperation::Kind::Read : AgentOperation::Kind::ReadFrom;
            r.exists = f->at(2) == "1";
            // More than the helper ever prints would make a reader take a file's end for a pause.
            if (!reader.payload(f->at(3), r.out) || r.out.size() > kMaxAgentReadBytes)
                return unreadable();
            if (!r.exists) // an absent file's content is the helper's reason for refusing one that is there
                r.refusal = QString::fromUtf8(std::exchange(r.out, QByteArray())).trimmed();
        } else if (tag == "P" && f->size() == 2) {
            r.kind = AgentOperation::Kind::Put;
        } else if (tag == "E" && f->size() == 3) {
            QByteArray message;
            if (!reader.payload(f->at(2), message))
                return unreadable();
            if (stoppedAt)
                *stoppedAt = results.size();
            return R::failure(model::ErrorCode::RemoteRefused,
                              u"the cluster helper stopped at operation %1 of %2: %3"_s.arg(results.size() + 1)
                                  .arg(expectedCount)
                                  .arg(QString::fromUtf8(message).trimmed()));
        } else {
            return unreadable();
        }
        results.append(r);
    }
    return R::failure(model::ErrorCode::RemoteRefused,
                      u"the cluster helper's answer was cut short after %1 of %2 operations"_s.arg(results.size())
                          .arg(expectedCount));
}

void ServedAnswerReader::feed(const QByteArray& bytes)
{
    m_pending += bytes;
    qsizetype pos = 0;
    while (m_state == State::AwaitingAck || m_state == State::Taken) {
        if (m_state == State::AwaitingAck) {
            if (m_pending.size() - pos < 2)
                break;
            m_state = m_pending.mid(pos, 2) == "A\n" ? State::Taken : State::Malformed;
            pos += 2;
            continue;
        }
        if (m_pending.size() - pos < 2)
            break;
        if (m_pending.mid(pos, 2) == "Z\n") {
            pos += 2;
            m_state = State::Complete;
            break;
        }
        const qsizetype eol = m_pending.indexOf('\n', pos);
        if (!m_pending.mid(pos, 2).startsWith("C") || (eol < 0 && m_pending.size() - pos > 24)) {
            m_state = State::Malformed;
            break;
        }
        if (eol < 0)
            break;
        const QByteArray header = m_pending.mid(pos, eol - pos);
        const QByteArray digits = header.mid(2);
        if (!header.startsWith("C ") || !isDigits(digits)) {
            m_state = State::Malformed;
            break;
        }
        const qsizetype n = digits.toLongLong();
        if (m_pending.size() - (eol + 1) < n)
            break;
        m_reply += m_pending.mid(eol + 1, n);
        pos = eol + 1 + n;
    }
    m_pending.remove(0, pos);
}

QByteArray ServiceMarkerScanner::feed(const QByteArray& bytes)
{
    if (m_state != State::Searching)
        return {};
    m_pending += bytes;
    const qsizetype at = m_pending.indexOf(m_marker);
    if (at >= 0) {
        m_state = State::Found;
        QByteArray rest = m_pending.mid(at + m_marker.size());
        m_pending.truncate(at);
        return rest;
    }
    if (m_pending.size() > kMaxPreamble)
        m_state = State::TooLong;
    return {};
}

QByteArray newServiceMarker()
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray marker("swl-");
    for (int i = 0; i < 24; ++i)
        marker += alphabet[QRandomGenerator::system()->bounded(int(sizeof alphabet) - 1)];
    return marker;
}

const QByteArray& agentScript()
{
    static const QByteArray script = [] {
        QFile f(u":/sweepline/remote/agent.sh"_s);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    return script;
}

QString agentFileName()
{
    const QByteArray digest = QCryptographicHash::hash(agentScript(), QCryptographicHash::Sha256).toHex().left(12);
    return u"agent-%1.sh"_s.arg(QString::fromLatin1(digest));
}

} // namespace sweepline::remote::ssh
