"""A picture of one environment: the same model drawn as D2 (rendered to SVG) and as Mermaid."""
