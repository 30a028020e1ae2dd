package dev.warden.store;

import org.junit.jupiter.api.Nested;

/**
 * Every store contract on an embedded H2 file database in a temporary directory. Each nested suite
 * gets its own fresh database.
 */
class H2StoreTest {

  @Nested
  class TrustProviders extends TrustProviderStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Workloads extends WorkloadStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Resources extends ResourceStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class EdgeProxies extends EdgeProxyStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class ConfigCommits extends ConfigStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Policies extends PolicyStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Audits extends AuditStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class AuthorizationCodes extends AuthorizationCodeStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class UserGrants extends UserGrantStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Leases extends LeaseStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class AdminTokens extends AdminTokenStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Agents extends AgentStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Authorities extends AuthorityStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Recertification extends RecertStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class KpiHistory extends KpiHistoryStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class SigningKeys extends SigningKeyStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Settingss extends SettingsStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class Lifecycle extends JdbcStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class TargetLeases extends TargetLeaseStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class TargetSecrets extends TargetSecretStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class BrokeredSecrets extends BrokeredSecretStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class AuditCheckpoints extends CheckpointStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }

  @Nested
  class AuditSinks extends AuditSinkStoreContract {
    @Override
    TestDatabase createDatabase() {
      return new H2TestDatabase();
    }
  }
}
