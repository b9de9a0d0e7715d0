"""The shell: navigation, URL state, embed mode, the error area, long jobs."""
