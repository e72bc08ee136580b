DROP TABLE session_agendas;
--bun:split
DROP TABLE library_shares;
--bun:split
DROP TABLE library_votes;
--bun:split
DROP TABLE library_files;
--bun:split
DROP TABLE library_articles;
