export interface DovecotConfigInput {
  baseDir: string;
  port: number;
  /** One passwd-file per user: `${usersDir}/${user}`. */
  usersDir: string;
  mailRoot: string;
  homeRoot: string;
}

/**
 * A complete, self-contained dovecot.conf (no includes of /etc/dovecot) for one sandbox:
 * IMAP only, plaintext on 127.0.0.1, every mailbox owned by the `dovecot` system user.
 *
 * Users come from one passwd-file per user (path with %u), not one shared file: Dovecot
 * re-checks a passwd-file at most once per second, so a user appended to a shared file right
 * after another login fails to authenticate until the next second. A new per-user file is
 * read on first use.
 */
export function renderDovecotConfig(input: DovecotConfigInput): string {
  const { baseDir, port, usersDir, mailRoot, homeRoot } = input;
  return `# liquibot sandbox: generated, do not edit
base_dir = ${baseDir}/run
state_dir = ${baseDir}/state
log_path = ${baseDir}/dovecot.log
info_log_path = ${baseDir}/dovecot-info.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose: no 2 s failure delay.
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:${mailRoot}/%u
# Tests open several sessions per user (watcher, IDLE, seeding): the default is 10.
mail_max_userip_connections = 100
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${usersDir}/%u
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${homeRoot}/%u
}
# No per-IP auth penalty: after one failed login anvil would delay every later login from
# 127.0.0.1 (that is, every other test) by 2 s, doubling per failure up to 15 s.
# (login_trusted_networks does not lift it for plain IMAP logins on 2.3.19.)
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}
