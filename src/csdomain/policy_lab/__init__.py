"""The policy lab (issue 15): versioned policies with effective dates, and their diff."""
