// `db.collection(name)` and `db.startTransaction()` of the MPServerless client: each command's
// arguments become JSON text for the core, each reply the official result shape.
import { mpError } from '../errors.js';
import { toJson, decodeBody, reviveDates } from './codec.js';

/** db commands and the names of their positional arguments, which precede `options`. */
const DB_ARGS = {
  find: 'query', findOne: 'query', count: 'query', distinct: 'key query', aggregate: 'pipeline', insertOne: 'doc',
  insertMany: 'docs', updateOne: 'filter update', updateMany: 'filter update', replaceOne: 'filter doc',
  findOneAndUpdate: 'filter update', findOneAndReplace: 'filter replacement', findOneAndDelete: 'filter',
  deleteOne: 'filter', deleteMany: 'filter',
};

function dbResult(reply) {
  return reviveDates(decodeBody(reply.body));
}

function txError(message) {
  return mpError('TransactionError', 'validation', message, { sdkCode: 'INVALID_ARGUMENT' });
}

/** commit() / rollback() of a collection without a transaction chain. */
const noChain = () => Promise.reject(txError('no transaction: call transaction() first'));

/**
 * `db.collection(name)`: every command of the reference; inside a transaction when `tx` is given
 * (`tx.collection(name)`). As in 3.1.5 a collection also carries its own transaction chain:
 * `transaction()` starts one on it (resolving its id), its later commands carry that id, and
 * `commit()` / `rollback()` end it; `collection(other)` switches the collection the chain (and the
 * next commands) address and returns the same object. Unlike 3.1.5, a command, commit or rollback
 * after the chain ended, or commit / rollback with no chain, is refused with a TransactionError
 * instead of being sent with a stale (or no) transaction id.
 */
export function makeCollection(owner, name, tx) {
  let current = name;
  let chain = tx;
  const coll = {
    collection(next) {
      current = next;
      if (chain) chain._collection = next;
      return coll;
    },
    transaction() {
      return owner._call(async (core) => {
        if (chain && chain.status === 'init') throw txError('transaction already started');
        const id = (await core.call('startTransaction', { collection: current })).transactionId;
        chain = new Transaction(owner, id);
        chain._collection = current;
        return id;
      });
    },
    commit() {
      return chain ? chain.commit() : noChain();
    },
    rollback() {
      return chain ? chain.rollback() : noChain();
    },
  };
  for (const command of Object.keys(DB_ARGS)) {
    const names = DB_ARGS[command].split(' ');
    coll[command] = function () {
      const a = arguments;
      return owner._call(async (core) => {
        const t = chain;
        if (t) t._checkOpen();
        const args = { collection: current, transactionId: t ? t.id : undefined, command, options: toJson('options', a[names.length]) };
        names.forEach((field, i) => { args[field] = toJson(field, a[i]); });
        return dbResult(await core.call('db', args));
      });
    };
  }
  return coll;
}

/** A transaction (3.x `db.startTransaction()`): collection ops carry its id; commit or rollback once. */
export class Transaction {
  constructor(owner, id) {
    this._owner = owner;
    this.id = id;
    this.status = 'init';
    this._collection = undefined;
  }

  collection(name) {
    this._collection = name;
    return makeCollection(this._owner, name, this);
  }

  _checkOpen() {
    if (this.status === 'commit' || this.status === 'rollback') throw txError('transaction already ' + this.status);
  }

  _finish(status, command) {
    return this._owner._call(async (core) => {
      this._checkOpen();
      this.status = status;
      return dbResult(await core.call('db', { collection: this._collection, transactionId: this.id, command }));
    });
  }

  commit() {
    return this._finish('commit', 'commitTransaction');
  }

  rollback() {
    return this._finish('rollback', 'abortTransaction');
  }
}
