package dev.warden.store;

import org.junit.jupiter.api.Nested;

/**
 * Every store contract on a real PostgreSQL (a new database per suite; skipped when unreachable
 * unless CI is set). Each nested suite gets its own fresh database.
 */
class PostgresStoreTest {

  @Nested
  class TrustProviders extends TrustProviderStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Workloads extends WorkloadStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Resources extends ResourceStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class EdgeProxies extends EdgeProxyStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class ConfigCommits extends ConfigStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Policies extends PolicyStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Audits extends AuditStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class AuthorizationCodes extends AuthorizationCodeStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class UserGrants extends UserGrantStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Leases extends LeaseStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class AdminTokens extends AdminTokenStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Agents extends AgentStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Authorities extends AuthorityStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Recertification extends RecertStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class KpiHistory extends KpiHistoryStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class SigningKeys extends SigningKeyStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Settingss extends SettingsStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class Lifecycle extends JdbcStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class TargetLeases extends TargetLeaseStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class TargetSecrets extends TargetSecretStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class BrokeredSecrets extends BrokeredSecretStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class AuditCheckpoints extends CheckpointStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }

  @Nested
  class AuditSinks extends AuditSinkStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new PostgresTestDatabase();
    }
  }
}
