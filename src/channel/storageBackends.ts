import type { Storage } from 'botbuilder';
import type { Config } from '../config';
import type { Logger } from '../log';
import { FileStorage } from '../storage/FileStorage';
import { joinSharedFolder, JournalStorage, readOnlyFolder } from '../storage/JournalStorage';

/**
 * The storage backend chosen by `STORAGE`. Everything the bot keeps goes through the one botbuilder
 * `Storage` contract (read / write with eTag / delete), so the backends are interchangeable:
 * - `file`: one JSON file per key under DATA_DIR (one machine), with a write-ahead journal in front
 *   (`STORAGE_JOURNAL=on`, one process per folder) or written straight to each file (several processes);
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

/** A store that keeps its files in a folder: left-over files to remove, old state to expire, a folder to give up. */
export interface FolderStore extends Storage {
  cleanUp(): Promise<{ locks: number; temps: number }>;
  entries(): Promise<{ key: string; modified: Date }[]>;
  /** Makes everything durable in the documents' own files and gives the folder up. */
  close(): Promise<void>;
}

/**
 * The bot's storage, ready to use: for `file`, the folder is taken (the journal's owner lock, or a
 * marker that this process shares it without the journal) and loaded; rejects with FolderInUse when
 * another live process holds it in a way that excludes this one.
 */
export async function openStorage(config: Config['storage'], logger: Logger): Promise<{ storage: Storage; folder?: FolderStore }> {
  if (config.kind !== 'file') return { storage: createStorage(config) };
  if (config.journal) {
    const { store, recovery } = await JournalStorage.open(config.dir, {
      checkpointBytes: config.checkpointBytes,
      cacheBytes: config.cacheBytes,
      onCheckpointError: (err) => logger.warn({ code: (err as { code?: unknown }).code }, 'storage journal checkpoint failed; retried shortly'),
    });
    if (recovery.segments > 0) logger.info(recovery, 'storage journal replayed');
    if (recovery.tornBytes > 0) logger.warn({ tornBytes: recovery.tornBytes }, 'storage journal ended in a record cut short (a crash during an append); it was discarded');
    return { storage: store, folder: store };
  }
  const shared = await joinSharedFolder(config.dir);
  const store = new FileStorage(config.dir);
  const folder: FolderStore = Object.assign(store, { close: () => shared.leave() });
  return { storage: store, folder };
}

/** The storage for a staff tool that only reads: for `file`, a snapshot of the folder that does not take it over from the bot. */
export async function openStorageToRead(config: Config['storage']): Promise<Storage> {
  return config.kind === 'file' ? readOnlyFolder(config.dir) : createStorage(config);
}

export function describeStorage(config: Config['storage']): string {
  switch (config.kind) {
    case 'file':
      return `file (${config.dir}${config.journal ? ', journal' : ', shared without journal'})`;
    case 'blob':
      return `Azure Blob Storage (container ${config.container})`;
    case 'cosmos':
      return `Azure Cosmos DB (${config.database}/${config.container})`;
    default:
      return 'memory (nothing survives a restart)';
  }
}
