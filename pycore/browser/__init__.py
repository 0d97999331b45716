"""The browser boundary: what the page asks of pycore, answered as plain JSON-ready data.

This layer sits on top of the engine (``pycore``'s other modules) and is imported by nothing in it: the engine
never knows a page exists. Each module here is one kind of question:

* ``catalog``: the registries, surface records and contour grids (what to draw before anything runs);
* ``runs``: every enabled optimizer's run from one start, packed for drawing, and one step's details on demand;
* ``field``: the update field, the inspected optimizer's next step from every point of a grid over the view;
* ``lab``: basin maps in pieces (for a pool of workers), fair lr tuning, your own function;
* ``share``: the view in a link (checked field by field), the schedule picker, exports;
* ``lessons``: the guided lessons' scenes and their reveals, measured in each scene's own runs;
* ``static``: the first view, written to ``web/first_view.json`` at build time so the page can draw before
  Python has started.

``web/engine.py`` (the page's Python worker) calls these and nothing else.
"""
