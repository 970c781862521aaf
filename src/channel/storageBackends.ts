import type { Storage } from 'botbuilder';
import type { Config } from '../config';
import { FileStorage } from '../storage/FileStorage';

/**
 * The storage backend chosen by `STORAGE`. Everything the bot keeps goes through the one botbuilder
 * `Storage` contract (read / write with eTag / delete), so the backends are interchangeable:
 * - `file`: one JSON file per key under DATA_DIR, written atomically (one machine);
 * - `blob`: Azure Blob Storage (`BlobsStorage`), shared by every instance behind a load balancer;
 * - `cosmos`: Azure Cosmos DB (`CosmosDbPartitionedStorage`), likewise;
 * - `memory`: botbuilder's `MemoryStorage`, for tests (refused in production by the configuration).
 * Each backend's package is loaded only when it is the one chosen: the Azure SDKs behind Blob and
 * Cosmos DB storage are some 450 modules, loaded for nothing by a bot or staff tool on another backend.
 */
export function createStorage(config: Config['storage']): Storage {
  switch (config.kind) {
    case 'file':
      return new FileStorage(config.dir);
    case 'memory': {
      const { MemoryStorage } = require('botbuilder') as typeof import('botbuilder');
      return new MemoryStorage();
    }
    case 'blob': {
      const { BlobsStorage } = require('botbuilder-azure-blobs') as typeof import('botbuilder-azure-blobs');
      return new BlobsStorage(config.connectionString, config.container);
    }
    case 'cosmos': {
      const { CosmosDbPartitionedStorage } = require('botbuilder-azure') as typeof import('botbuilder-azure');
      return new CosmosDbPartitionedStorage({
        cosmosDbEndpoint: config.endpoint,
        authKey: config.authKey,
        databaseId: config.database,
        containerId: config.container,
        compatibilityMode: false,
      });
    }
  }
}

export function describeStorage(config: Config['storage']): string {
  switch (config.kind) {
    case 'file':
      return `file (${config.dir})`;
    case 'blob':
      return `Azure Blob Storage (container ${config.container})`;
    case 'cosmos':
      return `Azure Cosmos DB (${config.database}/${config.container})`;
    default:
      return 'memory (nothing survives a restart)';
  }
}
