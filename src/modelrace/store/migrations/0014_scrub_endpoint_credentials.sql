-- Credentials an older modelrace stored with a sync's endpoint (HF_ENDPOINT=http://user:SECRET@host, issue #29):
-- taken out of the snapshots that hold them, so that no report, summary or chart prints them. New syncs store the
-- endpoint without them (modelrace._urls.without_userinfo). Only a URL's "//user:password@" goes: file paths keep
-- their characters.
UPDATE snapshots SET source_detail = regexp_replace(source_detail, '//[^/@[:space:]]*@', '//', 'g')
WHERE regexp_matches(source_detail, '//[^/@[:space:]]*@');
UPDATE snapshots SET origin = regexp_replace(origin, '//[^/@[:space:]]*@', '//', 'g')
WHERE regexp_matches(origin, '//[^/@[:space:]]*@');
