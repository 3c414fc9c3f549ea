#include "engine/runoutcome.h"

#include "model/curvereader.h"

#include <QFile>
#include <QFileInfo>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::engine {

namespace {

constexpr qint64 kStderrTail = 4096;

// The last non-empty line of stderr usually names the error (a Python exception, say).
QString lastLine(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    if (f.size() > kStderrTail)
        f.seek(f.size() - kStderrTail);
    const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QString line = it->trimmed();
        if (!line.isEmpty())
            return line.left(300);
    }
    return {};
}

struct Curve {
    QList<double> values;
    QList<int> steps;
};

// The curve with its steps (objective.step_pattern), read in bounded pieces: a stdout may be far
// larger than memory.
model::Result<Curve> readCurve(const QString& path, const model::Objective& objective, bool skipFirstLine)
{
    auto reader = model::CurveReader::create(objective);
    if (!reader)
        return model::Result<Curve>::failure(reader.error());
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return model::Result<Curve>::failure(u"cannot read %1: %2"_s.arg(path, f.errorString()));
    constexpr qint64 kPiece = 1 << 16;
    bool skipping = skipFirstLine;
    while (!f.atEnd()) {
        const QByteArray piece = f.read(kPiece);
        if (piece.isEmpty())
            return model::Result<Curve>::failure(u"cannot read %1: %2"_s.arg(path, f.errorString()));
        QByteArrayView rest(piece);
        if (skipping) {
            const qsizetype lineEnd = rest.indexOf('\n');
            if (lineEnd < 0)
                continue;
            rest = rest.sliced(lineEnd + 1);
            skipping = false;
        }
        reader->feed(rest);
    }
    reader->finish();
    return Curve{reader->values(), reader->steps()};
}

} // namespace

RunOutcome judgeRun(const JobEnd& end, const model::Objective& objective, const QString& stderrPath)
{
    const QString& metric = objective.metric;
    RunOutcome out;
    // The first line of a truncated copy is cut at its start: it is left out.
    const bool truncated = end.stdoutTruncatedFrom.has_value();
    // The reader that follows a running job reads the final stdout too: one rule for the curve.
    model::Result<QList<double>> extracted = QList<double>();
    if (auto curve = readCurve(end.stdoutPath, objective, truncated)) {
        extracted = curve->values;
        out.steps = curve->steps;
    } else {
        extracted = curve.failureInfo();
    }
    if (extracted)
        out.intermediate = extracted.value(); // shares the list's data; extracted is read again below
    if (truncated) {
        out.note = u"stdout was %1 bytes, over the download limit: the value and the learning curve "
                   "come from its last %2 bytes"_s.arg(*end.stdoutTruncatedFrom)
                       .arg(QFileInfo(end.stdoutPath).size());
    }
    auto withStderr = [&](const QString& message) {
        const QString tail = lastLine(stderrPath);
        return tail.isEmpty() ? message : message + u": "_s + tail;
    };
    if (!end.reason.isEmpty()) {
        out.error = end.reason;
        return out;
    }
    if (!end.exitCode) {
        out.error = u"the job left no exit code"_s;
        return out;
    }
    if (*end.exitCode != 0) {
        out.error = withStderr(u"exited with code %1"_s.arg(*end.exitCode));
        return out;
    }
    if (!extracted) {
        out.error = extracted.error();
        return out;
    }
    if (out.intermediate.isEmpty()) {
        out.error = withStderr(u"printed no value for metric \"%1\""_s.arg(metric));
        return out;
    }
    const double last = out.intermediate.constLast();
    if (!std::isfinite(last)) {
        out.error = u"metric \"%1\" is %2"_s.arg(metric, QString::number(last));
        return out;
    }
    out.state = model::TrialState::Done;
    out.value = last;
    return out;
}

} // namespace sweepline::engine
