"""The rota desk (issue 15): the live board, the calendar, edits with a preview, feeds."""
