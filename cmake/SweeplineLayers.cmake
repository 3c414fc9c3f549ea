# The layer rules: which engine library may link what, and which headers its sources may include.
# docs/architecture.md quotes this block; sweepline_check_layers() (called at the end of the top
# CMakeLists.txt) fails the configure when a library breaks them.
#
#   sweepline_tuning  -> nothing (plain C++20, no Qt at all)
#   sweepline_model   -> sweepline_tuning, Qt6::Core, Qt6::Sql, nlohmann_json
#   sweepline_engine  -> sweepline_model, sweepline_tuning, Qt6::Core
#   sweepline_remote  -> sweepline_engine, sweepline_model, sweepline_tuning, Qt6::Core, libssh
#   app libraries     -> anything
# and, directly or through anything they link, no engine library reaches Qt6::Widgets, Qt6::Gui,
# Qt6::Charts or Qt6::Svg. Sources under tuning/ include no Qt header; those under model/, engine/
# and remote/ include none of QtWidgets, QtGui, QtCharts or QtSvg.
set(SWEEPLINE_LAYERS sweepline_tuning sweepline_model sweepline_engine sweepline_remote)
set(SWEEPLINE_LAYER_ALLOWS_sweepline_tuning "")
set(SWEEPLINE_LAYER_ALLOWS_sweepline_model sweepline_tuning Qt6::Core Qt6::Sql nlohmann_json::nlohmann_json)
set(SWEEPLINE_LAYER_ALLOWS_sweepline_engine sweepline_model sweepline_tuning Qt6::Core)
set(SWEEPLINE_LAYER_ALLOWS_sweepline_remote sweepline_engine sweepline_model sweepline_tuning Qt6::Core
    PkgConfig::LIBSSH)
# Linked by every target of ours and carrying only compile flags.
set(SWEEPLINE_LAYER_ALWAYS_ALLOWED sweepline_warnings)
set(SWEEPLINE_LAYER_FORBIDDEN_EVERYWHERE Qt6::Widgets Qt6::Gui Qt6::Charts Qt6::Svg)
# A regular expression on a whole "#include" line, per source folder.
set(SWEEPLINE_LAYER_HEADERS_tuning "#[ \t]*include[ \t]*[<\"](Qt|Q[A-Z])")
set(SWEEPLINE_LAYER_GUI_HEADERS
    "#[ \t]*include[ \t]*[<\"](QtWidgets|QtGui|QtCharts|QtSvg|QWidget|QApplication|QGuiApplication|QColor|QPainter|QImage|QPixmap|QIcon|QFont)")
set(SWEEPLINE_LAYER_HEADERS_model "${SWEEPLINE_LAYER_GUI_HEADERS}")
set(SWEEPLINE_LAYER_HEADERS_engine "${SWEEPLINE_LAYER_GUI_HEADERS}")
set(SWEEPLINE_LAYER_HEADERS_remote "${SWEEPLINE_LAYER_GUI_HEADERS}")

# The link items of target, as names: generator expressions such as $<LINK_ONLY:x> reduced to x,
# CMake's "::@(directory)" markers dropped.
function(_sweepline_link_items target out)
    set(items "")
    get_target_property(type ${target} TYPE)
    set(properties INTERFACE_LINK_LIBRARIES)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
        get_target_property(imported ${target} IMPORTED)
        if(NOT imported)
            list(APPEND properties LINK_LIBRARIES)
        endif()
    endif()
    foreach(property IN LISTS properties)
        get_target_property(values ${target} ${property})
        if(NOT values)
            continue()
        endif()
        foreach(value IN LISTS values)
            string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" value "${value}")
            if(value MATCHES "^::@" OR value MATCHES "^\\$<" OR value STREQUAL "")
                continue()
            endif()
            list(APPEND items "${value}")
        endforeach()
    endforeach()
    list(REMOVE_DUPLICATES items)
    set(${out} "${items}" PARENT_SCOPE)
endfunction()

# Everything target reaches through its links, itself excluded.
function(_sweepline_link_closure target out)
    set(seen "")
    set(queue ${target})
    while(queue)
        list(POP_FRONT queue current)
        if(NOT TARGET ${current})
            continue()
        endif()
        _sweepline_link_items(${current} items)
        foreach(item IN LISTS items)
            if(NOT item IN_LIST seen)
                list(APPEND seen ${item})
                list(APPEND queue ${item})
            endif()
        endforeach()
    endwhile()
    set(${out} "${seen}" PARENT_SCOPE)
endfunction()

function(sweepline_check_layers)
    set(problems "")
    foreach(library IN LISTS SWEEPLINE_LAYERS)
        if(NOT TARGET ${library})
            continue()
        endif()
        set(allowed ${SWEEPLINE_LAYER_ALLOWS_${library}} ${SWEEPLINE_LAYER_ALWAYS_ALLOWED})
        _sweepline_link_items(${library} direct)
        foreach(item IN LISTS direct)
            # Targets CMake or Qt make for the library itself (qt_add_resources' object libraries).
            if(item MATCHES "^${library}_")
                continue()
            endif()
            if(NOT item IN_LIST allowed)
                list(APPEND problems "${library} links ${item}; it may link only: ${SWEEPLINE_LAYER_ALLOWS_${library}}")
            endif()
        endforeach()
        _sweepline_link_closure(${library} reached)
        foreach(item IN LISTS reached)
            if(item IN_LIST SWEEPLINE_LAYER_FORBIDDEN_EVERYWHERE
               OR (library STREQUAL "sweepline_tuning" AND item MATCHES "^Qt6?::"))
                list(APPEND problems "${library} reaches ${item} through its links, which no engine library may")
            endif()
        endforeach()
    endforeach()
    _sweepline_layer_failure("${problems}")
endfunction()

# Scans root/<folder> for each folder with a SWEEPLINE_LAYER_HEADERS_<folder> rule.
function(sweepline_check_layer_sources root)
    set(problems "")
    foreach(folder tuning model engine remote)
        file(GLOB_RECURSE sources "${root}/${folder}/*.h" "${root}/${folder}/*.cpp")
        foreach(source IN LISTS sources)
            file(STRINGS "${source}" includes REGEX "${SWEEPLINE_LAYER_HEADERS_${folder}}")
            foreach(line IN LISTS includes)
                file(RELATIVE_PATH name "${root}" "${source}")
                list(APPEND problems "${name}: \"${line}\" is not allowed in ${folder}/")
            endforeach()
        endforeach()
    endforeach()
    _sweepline_layer_failure("${problems}")
endfunction()

function(_sweepline_layer_failure problems)
    if(problems)
        list(JOIN problems "\n  " text)
        message(FATAL_ERROR "Sweepline layer rule broken (see cmake/SweeplineLayers.cmake):\n  ${text}")
    endif()
endfunction()
