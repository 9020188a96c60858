-- Each segment of a boundary line has a lead party (the side responsible for it in inspections
-- and marker maintenance), as the agreement assigns them: a JSON list of
-- {from_marker, to_marker, lead} per version.
ALTER TABLE boundary_line_versions ADD COLUMN segment_leads TEXT;
