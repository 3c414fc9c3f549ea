#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace sweepline::model {
class TrialTableModel;
}

namespace sweepline::gui {

// The free-text filter of the jobs monitor, parsed once per edit so that matching 10,000 rows stays
// cheap. Terms are separated by spaces ("double quotes" keep a phrase together) and must all match:
//   - plain text matches, ignoring case, the text of any column ("adam", "out of memory", "4711");
//   - <column><op><value>, op one of = != < <= > >=, matches one column: numerically when the
//     column holds a number and value parses as one ("lr<=0.01", "loss<0.1", "trial>100"),
//     otherwise by text ignoring case ("solver=adam", "state!=failed").
// Columns are named by the parameters' and the metric's names, and trial, state, job, queued,
// elapsed, error. A term naming no column is plain text; a comparison without a value yet (while
// typing "loss<") matches everything; a trial without a value fails any comparison but !=.
class TrialFilter {
public:
    enum class Op { Contains, Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual };
    struct Term {
        int column = -1; // -1: any column
        Op op = Op::Contains;
        QString text;
        double number = 0;
        bool isNumber = false;
    };

    TrialFilter() = default;
    // Names are looked up in the model's current campaign.
    static TrialFilter parse(const QString& text, const model::TrialTableModel& model);

    bool isEmpty() const { return m_terms.isEmpty(); }
    const QList<Term>& terms() const { return m_terms; }
    // `now` makes the queue and run times of unfinished trials comparable (see trialtimes.h).
    bool matches(const model::TrialTableModel& model, int row, const QDateTime& now = {}) const;

    // Column names a filter may use, lower case, mapped to the model's columns.
    static QHash<QString, int> columnNames(const model::TrialTableModel& model);
    static QStringList split(const QString& text); // the tokenizer, quotes removed

private:
    static bool matchesTerm(const model::TrialTableModel& model, int row, const Term& term, const QDateTime& now);
    QList<Term> m_terms;
};

} // namespace sweepline::gui
