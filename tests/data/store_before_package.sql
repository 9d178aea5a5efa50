-- A database as the single-module store (before chatbot/store/) wrote it;
-- tests/test_store.py opens it with today's store.
PRAGMA user_version = 5;
BEGIN TRANSACTION;
CREATE TABLE [agenda_items] (
   [id] INTEGER PRIMARY KEY,
   [workspace] TEXT NOT NULL,
   [channel] TEXT NOT NULL,
   [series] TEXT NOT NULL,
   [occurrence] TEXT NOT NULL,
   [section] TEXT NOT NULL,
   [text] TEXT NOT NULL,
   [author_id] TEXT,
   [author_name] TEXT,
   [position] INTEGER,
   [done] INTEGER DEFAULT 0,
   [carried_over] INTEGER DEFAULT 0,
   [created_at] TEXT
);
INSERT INTO "agenda_items" VALUES(1,'console','binder-team','binder-team','2018-03-22','discuss','Budget','tim','Tim',1,1,0,'2018-03-20T12:00:00+00:00');
INSERT INTO "agenda_items" VALUES(2,'console','binder-team','binder-team','2018-03-22','share','Release 1.0','jess','Jessica',2,0,0,'2018-03-20T12:00:00+00:00');
CREATE TABLE [attendance] (
   [workspace] TEXT,
   [channel] TEXT,
   [series] TEXT,
   [occurrence] TEXT,
   [user_id] TEXT,
   [name] TEXT,
   [affiliation] TEXT DEFAULT '',
   [github] TEXT DEFAULT '',
   [regrets] INTEGER DEFAULT 0,
   [recorded_at] TEXT,
   PRIMARY KEY ([workspace], [channel], [series], [occurrence], [user_id])
);
INSERT INTO "attendance" VALUES('console','binder-team','binder-team','2018-03-22','tim','Tim','Binder','betatim',0,'2018-03-20T12:00:00+00:00');
CREATE TABLE [decisions] (
   [id] INTEGER PRIMARY KEY,
   [workspace] TEXT NOT NULL,
   [channel] TEXT NOT NULL,
   [series] TEXT NOT NULL,
   [occurrence] TEXT NOT NULL,
   [text] TEXT NOT NULL,
   [author_id] TEXT,
   [created_at] TEXT
);
INSERT INTO "decisions" VALUES(1,'console','binder-team','binder-team','2018-03-15','Ship it','tim','2018-03-20T12:00:00+00:00');
CREATE TABLE [direct_rooms] (
   [account] TEXT,
   [user_id] TEXT,
   [room_id] TEXT NOT NULL,
   PRIMARY KEY ([account], [user_id])
);
INSERT INTO "direct_rooms" VALUES('@bot:example.org','@bob:example.org','!room:example.org');
CREATE TABLE [imports] (
   [workspace] TEXT,
   [channel] TEXT,
   [series] TEXT,
   [content_hash] TEXT,
   [file_name] TEXT,
   [occurrence] TEXT,
   [imported_at] TEXT,
   PRIMARY KEY ([workspace], [channel], [series], [content_hash])
);
INSERT INTO "imports" VALUES('console','binder-team','binder-team','abc123','old.md','2018-03-08','2018-03-20T12:00:00+00:00');
CREATE TABLE [meetings] (
   [workspace] TEXT,
   [channel] TEXT,
   [series] TEXT,
   [occurrence] TEXT,
   [started_at] TEXT,
   [ended_at] TEXT,
   [started_by] TEXT,
   [archive_path] TEXT,
   [imported_from] TEXT,
   PRIMARY KEY ([workspace], [channel], [series], [occurrence])
);
INSERT INTO "meetings" VALUES('console','binder-team','binder-team','2018-03-15','2018-03-20T12:00:00+00:00','2018-03-20T12:00:00+00:00','tim','notes/binder-team/2018-03-15.md',NULL);
INSERT INTO "meetings" VALUES('console','binder-team','binder-team','2018-03-08','2018-03-20T12:00:00+00:00','2018-03-20T12:00:00+00:00',NULL,NULL,'old.md');
CREATE TABLE [members] (
   [workspace] TEXT,
   [channel] TEXT,
   [user_id] TEXT,
   [last_seen] TEXT,
   PRIMARY KEY ([workspace], [channel], [user_id])
);
INSERT INTO "members" VALUES('console','binder-team','tim','2018-03-20T12:00:00+00:00');
INSERT INTO "members" VALUES('console','binder-team','jess','2018-03-20T12:00:00+00:00');
CREATE TABLE [page_tokens] (
   [series] TEXT PRIMARY KEY,
   [token] TEXT NOT NULL,
   [created_at] TEXT
);
INSERT INTO "page_tokens" VALUES('binder-team','toktoktoktoktoktoktoktok','2018-03-20T12:00:00+00:00');
CREATE TABLE [reminder_claims] (
   [platform] TEXT,
   [series] TEXT,
   [occurrence] TEXT,
   [offset_minutes] INTEGER,
   [state] TEXT,
   [owner] TEXT,
   [claimed_at] TEXT,
   [finished_at] TEXT,
   PRIMARY KEY ([platform], [series], [occurrence], [offset_minutes])
);
INSERT INTO "reminder_claims" VALUES('console','binder-team','2018-03-22',60,'sent','me','2018-03-20T12:00:00+00:00','2018-03-20T12:00:00+00:00');
INSERT INTO "reminder_claims" VALUES('console','binder-team','2018-03-22',1440,'dropped',NULL,NULL,'2018-03-20T12:00:00+00:00');
CREATE TABLE [sync_positions] (
   [account] TEXT PRIMARY KEY,
   [position] TEXT NOT NULL,
   [saved_at] TEXT
);
INSERT INTO "sync_positions" VALUES('@bot:example.org','s2_7','2018-03-20T12:00:00+00:00');
CREATE TABLE [todo_owners] (
   [todo_id] INTEGER REFERENCES [todos]([id]),
   [user_id] TEXT,
   PRIMARY KEY ([todo_id], [user_id])
);
INSERT INTO "todo_owners" VALUES(1,'tim');
INSERT INTO "todo_owners" VALUES(1,'jess');
CREATE TABLE [todos] (
   [id] INTEGER PRIMARY KEY,
   [workspace] TEXT NOT NULL,
   [channel] TEXT NOT NULL,
   [number] INTEGER NOT NULL,
   [text] TEXT NOT NULL,
   [creator_id] TEXT NOT NULL,
   [series] TEXT,
   [occurrence] TEXT,
   [created_at] TEXT,
   [done_at] TEXT
);
INSERT INTO "todos" VALUES(1,'console','binder-team',1,'Write the blog post','tim','binder-team','2018-03-22','2018-03-20T12:00:00+00:00',NULL);
INSERT INTO "todos" VALUES(2,'console','binder-team',2,'Imported, nobody yet','tim',NULL,NULL,'2018-03-20T12:00:00+00:00',NULL);
CREATE TABLE [users] (
   [workspace] TEXT NOT NULL,
   [user_id] TEXT NOT NULL,
   [name] TEXT NOT NULL,
   [tz] TEXT,
   [profile_tz] TEXT,
   [affiliation] TEXT DEFAULT '',
   [github] TEXT DEFAULT '',
   [remind] INTEGER DEFAULT 0,
   PRIMARY KEY ([workspace], [user_id])
);
INSERT INTO "users" VALUES('console','tim','Tim','Europe/Berlin',NULL,'Binder','betatim',1);
INSERT INTO "users" VALUES('console','jess','Jessica',NULL,'America/Los_Angeles','','',0);
CREATE INDEX users_by_name ON users (workspace, name COLLATE NOCASE);
CREATE INDEX users_by_github ON users (workspace, github COLLATE NOCASE);
CREATE INDEX [idx_agenda_items_workspace_channel_series_occurrence_position]
    ON [agenda_items] ([workspace], [channel], [series], [occurrence], [position]);
CREATE UNIQUE INDEX [idx_todos_workspace_channel_number]
    ON [todos] ([workspace], [channel], [number]);
CREATE INDEX [idx_todos_workspace_channel_done_at]
    ON [todos] ([workspace], [channel], [done_at]);
CREATE INDEX [idx_todo_owners_user_id_todo_id]
    ON [todo_owners] ([user_id], [todo_id]);
CREATE INDEX [idx_meetings_workspace_channel_ended_at]
    ON [meetings] ([workspace], [channel], [ended_at]);
CREATE INDEX [idx_decisions_workspace_channel_series_occurrence]
    ON [decisions] ([workspace], [channel], [series], [occurrence]);
CREATE UNIQUE INDEX [idx_page_tokens_token]
    ON [page_tokens] ([token]);
COMMIT;
