#pragma once

#include "model/campaign.h"

#include <QAbstractTableModel>
#include <QList>
#include <QMap>
#include <QPoint>
#include <QStringList>

#include <optional>
#include <utility>

namespace sweepline::gui {

class CampaignEditor;

// The campaign's parameters as an editable table, one row each. It mirrors the editor's rows through
// the editor's row signals and writes every change back as an undoable edit; cells the validator
// complains about carry its messages (tooltip, red background).
class ParameterTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Type, Source, Values, Min, Max, Step, Count, Log, Default, Candidates, ColumnCount };
    enum Role {
        IssueRole = Qt::UserRole + 1, // QStringList: the validator's messages for this cell
        ChoicesRole,                  // QStringList: what a combo editor offers (types, sources, candidates);
                                      // empty for a default among too many candidates: typed instead
    };

    explicit ParameterTableModel(CampaignEditor* editor, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    // The cells an issue's JSON path designates ("parameters[2].range.min" is row 2, column Min), or
    // nullopt for a path outside the parameters. A path naming a whole row gives its Values cell.
    static std::optional<QList<QPoint>> cellsForIssuePath(const QString& path); // QPoint(column, row)

    // The number of points of the whole search space: the product of every row's candidate count.
    // 0 while a row has none.
    double searchSpaceSize() const;

signals:
    // An edit the table cannot turn into a parameter ("abc" as an int); nothing was changed.
    void inputRejected(const QString& message);

private:
    void mapIssues();
    bool isApplicable(int row, int column) const;

    CampaignEditor* m_editor;
    QList<model::Parameter> m_rows;                  // mirror of the editor's, updated from its signals
    QMap<std::pair<int, int>, QStringList> m_issues; // (row, column) -> messages
};

} // namespace sweepline::gui
