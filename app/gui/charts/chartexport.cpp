#include "gui/charts/chartexport.h"

#include <QChart>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QImage>
#include <QLegend>
#include <QPainter>
#include <QSvgGenerator>

#include <memory>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

// Lays the chart out at `size` for the lifetime of this object, in a scene of its own if it has none.
class ExportLayout {
public:
    ExportLayout(QChart* chart, QSize size) : m_chart(chart), m_oldSize(chart->size())
    {
        if (!chart->scene()) {
            m_scene = std::make_unique<QGraphicsScene>();
            m_scene->setItemIndexMethod(QGraphicsScene::NoIndex);
            m_scene->addItem(chart);
        }
        chart->resize(size);
        relayout();
    }
    ~ExportLayout()
    {
        if (m_oldSize != m_chart->size() && !m_oldSize.isEmpty()) {
            m_chart->resize(m_oldSize);
            relayout();
        }
        if (m_scene)
            m_scene->removeItem(m_chart);
    }
    void render(QPainter* painter, QSize size) const
    {
        painter->setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
        m_chart->scene()->render(painter, QRectF(QPointF(0, 0), size), QRectF(m_chart->scenePos(), size));
    }

private:
    // The plot area fits the new size now, without waiting for the layout request event.
    void relayout() const
    {
        // The legend caches its size: entries shown or hidden since need it measured again.
        m_chart->legend()->layout()->invalidate();
        m_chart->layout()->invalidate();
        m_chart->layout()->activate();
    }

    QChart* m_chart;
    QSizeF m_oldSize;
    std::unique_ptr<QGraphicsScene> m_scene;
};

} // namespace

model::Status exportChartPng(QChart* chart, const QString& path, QSize size, qreal devicePixelRatio)
{
    const ExportLayout layout(chart, size);
    QImage image(size * devicePixelRatio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(devicePixelRatio);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        layout.render(&painter, size);
    }
    if (!image.save(path, "PNG"))
        return model::Status::failure(QObject::tr("cannot write %1").arg(path));
    return model::success();
}

model::Status exportChartSvg(QChart* chart, const QString& path, QSize size, const QString& title)
{
    const ExportLayout layout(chart, size);
    {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setTitle(title);
        generator.setDescription(QObject::tr("Made with Sweepline"));
        QPainter painter;
        if (!painter.begin(&generator))
            return model::Status::failure(QObject::tr("cannot write %1").arg(path));
        layout.render(&painter, size);
    } // the generator writes and closes the file here
    // QSvgGenerator reports no write errors; an empty file is one.
    if (QFileInfo(path).size() == 0)
        return model::Status::failure(QObject::tr("cannot write %1").arg(path));
    return model::success();
}

model::Status exportChartFile(QChart* chart, const QString& path, QSize size, const QString& title)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"png"_s)
        return exportChartPng(chart, path, size);
    if (suffix == u"svg"_s)
        return exportChartSvg(chart, path, size, title);
    return model::Status::failure(QObject::tr("%1: the file name must end in .png or .svg").arg(path));
}

} // namespace sweepline::gui
