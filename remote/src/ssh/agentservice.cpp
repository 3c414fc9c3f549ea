#include "remote/ssh/agentservice.h"

#include "remote/ssh/agentprotocol.h"

#include <QElapsedTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sweepline::remote::ssh {

namespace {

constexpr std::chrono::milliseconds kReadSlice(200);

AgentAnswer failed(model::Error error, bool taken)
{
    AgentAnswer a;
    a.error = std::move(error);
    a.taken = taken;
    return a;
}

AgentAnswer failed(model::ErrorCode code, QString message, bool taken)
{
    return failed(model::Error{code, std::move(message)}, taken);
}

QString withDetail(const QString& error, const QByteArray& err)
{
    const QString detail = QString::fromUtf8(err.right(300)).trimmed();
    return detail.isEmpty() ? error : error + u" ("_s + detail + u')';
}

} // namespace

model::Status AgentService::start()
{
    ++m_starts;
    const QByteArray marker = newServiceMarker();
    m_awaitingMarker.emplace(marker);
    return m_session.startService(m_command + " --serve " + marker);
}

void AgentService::stop()
{
    m_awaitingMarker.reset();
    m_session.stopService();
}

AgentAnswer AgentService::ask(const QString& requestFile, std::chrono::seconds totalLimit)
{
    const QByteArray line = requestFile.toUtf8() + '\n';
    for (int attempt = 0;; ++attempt) {
        // Until its marker came, what it printed is the login shell's: not a sign that it ended.
        if (!m_awaitingMarker && !m_session.serviceRunning()) {
            auto started = m_beforeRestart ? m_beforeRestart() : model::success();
            if (started)
                started = start();
            if (!started)
                return failed(started.failureInfo(), false);
        }
        bool notTaken = false;
        AgentAnswer answer = askOnce(line, totalLimit, notTaken);
        // A helper that ended before it took the request ran nothing of it: a new one gets it, once.
        if (answer.ok || !notTaken || attempt == 1)
            return answer;
    }
}

AgentAnswer AgentService::askOnce(const QByteArray& line, std::chrono::seconds totalLimit, bool& notTaken)
{
    notTaken = false;
    if (auto written = m_session.writeToService(line); !written) {
        // Still connected: the helper's channel is gone and the line reached nobody. Otherwise it may have.
        notTaken = m_session.isConnected();
        stop();
        return failed(written.failureInfo(), !notTaken);
    }
    ServedAnswerReader reader;
    QByteArray err;
    QElapsedTimer clock;
    QElapsedTimer idle;
    clock.start();
    idle.start();
    const qint64 idleLimitMs = qint64(m_session.timeout().count()) * 1000;
    const qint64 totalLimitMs = std::max(idleLimitMs, qint64(totalLimit.count()) * 1000);
    for (;;) {
        if (idle.elapsed() > idleLimitMs || clock.elapsed() > totalLimitMs) {
            stop(); // what it says later belongs to nobody
            return failed(model::ErrorCode::Timeout,
                          idle.elapsed() > idleLimitMs ? u"no answer within %1 s"_s.arg(m_session.timeout().count())
                                                       : u"no complete answer within %1 s"_s.arg(totalLimitMs / 1000),
                          true);
        }
        auto read = m_session.readFromService(kReadSlice);
        if (!read) {
            stop();
            return failed(read.failureInfo(), true);
        }
        QByteArray out = std::move(read->out);
        err += read->err;
        const bool ended = read->ended;
        if (!out.isEmpty()) {
            idle.restart();
            if (m_awaitingMarker) {
                out = m_awaitingMarker->feed(out);
                if (m_awaitingMarker->state() == ServiceMarkerScanner::State::TooLong) {
                    const QByteArray banner = m_awaitingMarker->preamble().left(300);
                    stop();
                    return failed(model::ErrorCode::RemoteRefused,
                                  u"the cluster helper did not start: the login shell printed more than %1 KiB "
                                  "without it (it began: %2)"_s.arg(ServiceMarkerScanner::kMaxPreamble / 1024)
                                      .arg(QString::fromUtf8(banner).trimmed()),
                                  false);
                }
                if (m_awaitingMarker->state() == ServiceMarkerScanner::State::Found)
                    m_awaitingMarker.reset();
            }
            if (!m_awaitingMarker)
                reader.feed(out);
        }
        if (reader.state() == ServedAnswerReader::State::Complete) {
            if (reader.bytesAfterEnd() > 0)
                stop(); // it says more than it was asked: the next request gets a new one
            AgentAnswer answer;
            answer.ok = true;
            answer.reply = reader.reply();
            answer.err = err;
            return answer;
        }
        if (reader.state() == ServedAnswerReader::State::Malformed) {
            stop();
            return failed(model::ErrorCode::RemoteRefused,
                          withDetail(u"the cluster helper gave an unreadable answer"_s, err), true);
        }
        if (ended) {
            const bool neverServed = m_awaitingMarker.has_value();
            stop();
            notTaken = neverServed;
            if (neverServed)
                return failed(model::ErrorCode::RemoteRefused,
                              withDetail(u"the cluster helper ended before it started serving"_s, err), false);
            if (reader.state() == ServedAnswerReader::State::AwaitingAck) {
                notTaken = true;
                return failed(model::ErrorCode::RemoteRefused,
                              withDetail(u"the cluster helper ended before it took the request"_s, err), false);
            }
            // It died in the middle: what it answered says what ran, the rest is unknown.
            AgentAnswer answer;
            answer.ok = true;
            answer.reply = reader.reply();
            answer.err =
                "the cluster helper ended in the middle of the request" + (err.isEmpty() ? QByteArray() : ": " + err);
            return answer;
        }
    }
}

} // namespace sweepline::remote::ssh
