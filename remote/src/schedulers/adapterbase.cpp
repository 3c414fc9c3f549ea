#include "remote/schedulers/adapterbase.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sweepline::remote {

namespace schedulers {

bool isValidToken(const QString& token)
{
    static const QRegularExpression pattern(u"^[A-Za-z][A-Za-z0-9-]{0,62}$"_s);
    return pattern.match(token).hasMatch();
}

QStringList validTokens(const QStringList& tokens)
{
    QStringList valid;
    for (const QString& token : tokens) {
        if (isValidToken(token) && !valid.contains(token))
            valid.append(token);
    }
    return valid;
}

bool isSafeJobDirectory(const QString& directory)
{
    static const QRegularExpression pattern(u"^/[A-Za-z0-9_./+@-]*$"_s);
    return directory.size() <= 1024 && pattern.match(directory).hasMatch();
}

bool isSafeDirective(const QString& directive)
{
    if (directive.trimmed().isEmpty())
        return false;
    // A newline would start a directive of its own; other control characters have no business here.
    return std::none_of(directive.begin(), directive.end(), [](QChar c) {
        return (c.unicode() < 0x20 && c != u'\t') || c.unicode() == 0x7f || c == QChar::LineSeparator
            || c == QChar::ParagraphSeparator;
    });
}

QString joinPath(const QString& directory, const char* fileName)
{
    const QString name = QLatin1String(fileName);
    return directory.endsWith(u'/') ? directory + name : directory + u'/' + name;
}

QString hoursDuration(qint64 seconds, int hourDigits)
{
    return u"%1:%2:%3"_s.arg(seconds / 3600, hourDigits, 10, QChar(u'0'))
        .arg((seconds / 60) % 60, 2, 10, QChar(u'0'))
        .arg(seconds % 60, 2, 10, QChar(u'0'));
}

QString slurmDuration(qint64 seconds)
{
    const qint64 days = seconds / 86400;
    const QString hms = hoursDuration(seconds % 86400, 2);
    return days > 0 ? QString::number(days) + u'-' + hms : hms;
}

QStringList lines(const QString& text)
{
    QStringList result;
    for (const QString& line : text.split(u'\n')) {
        const QString trimmed = line.trimmed();
        if (!trimmed.isEmpty())
            result.append(trimmed);
    }
    return result;
}

QString failureText(const QString& command, const QString& out, const QString& err, int exitCode)
{
    QString words = lines(err).join(u'\n');
    if (words.isEmpty())
        words = lines(out).join(u'\n');
    if (words.isEmpty())
        return u"%1 exited with code %2 and printed nothing"_s.arg(command).arg(exitCode);
    return exitCode == 0 ? words : u"%1 (%2 exited with code %3)"_s.arg(words, command).arg(exitCode);
}

SubmitOutcome classifyRefusal(const QString& words, const QStringList& limitTexts, const QStringList& unclearTexts)
{
    const auto mentions = [&](const QStringList& texts) {
        return std::any_of(texts.begin(), texts.end(),
                           [&](const QString& text) { return words.contains(text, Qt::CaseInsensitive); });
    };
    // Unclear first: a timed-out answer may hide a job that was queued, and looking it up is the
    // only way not to queue it twice.
    if (mentions(unclearTexts))
        return SubmitOutcome::unclear(words);
    if (mentions(limitTexts))
        return SubmitOutcome::limited(words);
    return SubmitOutcome::refused(words);
}

QString firstSubmitted(QStringList jobIds)
{
    const auto number = [](const QString& id) {
        qsizetype end = 0;
        while (end < id.size() && id.at(end).isDigit())
            ++end;
        return id.left(end).toULongLong();
    };
    std::sort(jobIds.begin(), jobIds.end(), [&](const QString& a, const QString& b) {
        const auto na = number(a);
        const auto nb = number(b);
        return na != nb ? na < nb : a < b;
    });
    return jobIds.value(0);
}

} // namespace schedulers

namespace {

model::Status commonChecks(const JobSpec& spec)
{
    using model::Status;
    if (!schedulers::isValidToken(spec.token))
        return Status::failure(u"The job name \"%1\" is not a Sweepline token (a letter, then letters, digits "
                               "and '-', at most 63 characters)"_s.arg(spec.token));
    if (!schedulers::isSafeJobDirectory(spec.jobDirectory))
        return Status::failure(u"The remote job folder \"%1\" must be an absolute path of letters, digits and "
                               "_ . / + @ - only"_s.arg(spec.jobDirectory));
    if (spec.timeLimitSeconds && *spec.timeLimitSeconds <= 0)
        return Status::failure(u"The time limit must be positive (Slurm reads 0 as \"no limit\")"_s);
    for (const QString& directive : spec.directives) {
        if (!schedulers::isSafeDirective(directive))
            return Status::failure(
                u"The directive \"%1\" is empty or holds a line break or control character"_s.arg(directive));
    }
    return model::success();
}

bool usesOption(const QString& directive, const QString& option)
{
    const QString trimmed = directive.trimmed();
    if (!option.startsWith(u"--"))
        return trimmed.startsWith(option); // "-N name", "-Nname"
    // getopt_long also takes any unambiguous abbreviation: "--job=x" is "--job-name=x".
    static const QRegularExpression wordEnd(u"[=\\s]"_s);
    const qsizetype end = trimmed.indexOf(wordEnd);
    const QString word = end < 0 ? trimmed : trimmed.left(end);
    return word.size() > 2 && word.startsWith(u"--") && option.startsWith(word);
}

} // namespace

model::Status SchedulerAdapterBase::checkJobSpec(const JobSpec& spec) const
{
    if (auto status = commonChecks(spec); !status)
        return status;
    for (const QString& directive : spec.directives) {
        for (const QString& option : reservedOptions()) {
            if (usesOption(directive, option))
                return model::Status::failure(
                    u"The directive \"%1\" sets %2, which Sweepline sets itself for %3 (it finds and watches "
                    "jobs by their name and output files)"_s.arg(directive, option, name()));
        }
    }
    return model::success();
}

bool SchedulerAdapterBase::isValidJobId(const QString& jobId) const
{
    return jobIdPattern().match(jobId).hasMatch();
}

QStringList SchedulerAdapterBase::validJobIds(const QStringList& jobIds) const
{
    QStringList valid;
    for (const QString& id : jobIds) {
        if (isValidJobId(id) && !valid.contains(id))
            valid.append(id);
    }
    return valid;
}

model::Status checkJobSpec(const SchedulerAdapter& adapter, const JobSpec& spec)
{
    if (const auto* ours = dynamic_cast<const SchedulerAdapterBase*>(&adapter))
        return ours->checkJobSpec(spec);
    return commonChecks(spec);
}

} // namespace sweepline::remote
