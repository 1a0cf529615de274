//! Reading a data mart, whatever its kind: the SQL that reads it, with each name
//! it writes resolved into the project's tables (`sluice_domain::relations` says
//! which names count). Every read goes through here: the query route, report
//! runs, the data endpoint, a `sql` mart's materialization and the dry run of a
//! definition; so the wall between projects is drawn in one place, and the
//! warehouse checks each table's prefix again when it runs the query.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sluice_domain::entities::{DataMart, Definition, Storage, StorageConfig};
use sluice_domain::pipeline::objects;
use sluice_domain::ports::{ColumnInfo, ObjectStore, TableRef};
use sluice_domain::relations::{
    data_mart_named, pattern_parts, rewrite, sql_names, storage_table_ident,
    storage_table_location, storage_table_named, with_ctes,
};
use sluice_domain::{Id, files::landing_prefix};

use crate::error::{ServiceError, ServiceResult};
use crate::records;
use crate::{Deps, Querying};

/// Views read views at most this deep.
const MAX_VIEW_DEPTH: usize = 8;
/// Tables a pattern may match.
const MAX_PATTERN_TABLES: usize = 1_000;

/// A query ready for the warehouse: the tables it reads and its SQL with each
/// name replaced by the table's (views and patterns as `WITH` entries ahead).
#[derive(Debug, Clone)]
pub struct Reading {
    pub tables: Vec<TableRef>,
    pub sql: String,
}

/// `sql` of `project` resolved, the tables carrying `storage`'s settings (the
/// storage of the mart the query is for).
pub async fn resolve(
    deps: &Deps,
    objects: &Arc<dyn ObjectStore>,
    project: &Id,
    storage: Option<StorageConfig>,
    sql: &str,
) -> ServiceResult<Reading> {
    resolve_with(deps, objects, project, storage, sql, None).await
}

/// As [`resolve`], `given` standing for its stored record (a definition being
/// checked before it is saved).
async fn resolve_with(
    deps: &Deps,
    objects: &Arc<dyn ObjectStore>,
    project: &Id,
    storage: Option<StorageConfig>,
    sql: &str,
    given: Option<DataMart>,
) -> ServiceResult<Reading> {
    let mut r = Resolver {
        deps,
        objects: objects.as_ref(),
        project: project.clone(),
        given,
        storage,
        tables: vec![],
        ctes: vec![],
        done: HashSet::new(),
        open: vec![],
    };
    let body = r.sql(sql.to_string(), 0).await?;
    Ok(Reading {
        tables: r.tables,
        sql: with_ctes(&r.ctes, &body),
    })
}

/// A query of `mart` (`${DATA_MART_TABLE}` names the mart), resolved in the
/// mart's project with its storage's settings.
pub async fn reading(
    deps: &Deps,
    objects: &Arc<dyn ObjectStore>,
    mart: &DataMart,
    sql: &str,
) -> ServiceResult<Reading> {
    let sql = sql.replace(
        super::runs::TABLE_MACRO,
        &objects::table_name(&mart.meta.id),
    );
    let storage = storage_of(deps, mart).await?;
    resolve_with(
        deps,
        objects,
        &mart.meta.project_id,
        storage,
        &sql,
        Some(mart.clone()),
    )
    .await
}

/// Every row of `mart`, resolved.
pub async fn whole(
    deps: &Deps,
    objects: &Arc<dyn ObjectStore>,
    mart: &DataMart,
) -> ServiceResult<Reading> {
    reading(
        deps,
        objects,
        mart,
        &format!("SELECT * FROM {}", super::runs::TABLE_MACRO),
    )
    .await
}

/// The settings of the storage `mart` names.
pub async fn storage_of(deps: &Deps, mart: &DataMart) -> ServiceResult<Option<StorageConfig>> {
    Ok(
        records::get::<Storage>(deps.store.as_ref(), &mart.meta.project_id, &mart.storage_id)
            .await?
            .map(|s| s.config),
    )
}

/// The columns `mart` has now, found by planning a read of it.
pub async fn columns_of(
    deps: &Deps,
    querying: &Querying,
    mart: &DataMart,
) -> ServiceResult<Vec<ColumnInfo>> {
    let read = whole(deps, &querying.objects, mart).await?;
    Ok(querying
        .warehouse
        .describe(&mart.meta.project_id, &read.tables, &read.sql)
        .await?)
}

type Resolving<'s> = Pin<Box<dyn Future<Output = ServiceResult<String>> + Send + 's>>;

struct Resolver<'a> {
    deps: &'a Deps,
    objects: &'a dyn ObjectStore,
    project: Id,
    /// Read as it is, not as stored.
    given: Option<DataMart>,
    storage: Option<StorageConfig>,
    tables: Vec<TableRef>,
    /// Views and patterns, each after what it reads.
    ctes: Vec<(String, String)>,
    /// Table names already resolved.
    done: HashSet<String>,
    /// Views being resolved, outermost first: a name among them is a cycle.
    open: Vec<String>,
}

impl Resolver<'_> {
    /// `sql` with its names replaced.
    fn sql(&mut self, sql: String, depth: usize) -> Resolving<'_> {
        Box::pin(async move {
            let mut replacements = vec![];
            for name in sql_names(&sql) {
                if let Some(id) = data_mart_named(&name) {
                    let store = self.deps.store.as_ref();
                    let found = match self.given.as_ref().filter(|g| g.meta.id == id) {
                        Some(given) => Some(given.clone()),
                        None => records::get::<DataMart>(store, &self.project, &id).await?,
                    };
                    let Some(mart) = found.filter(|m| m.meta.deleted_at.is_none()) else {
                        // Another project's, deleted or never made: the engine
                        // says the table is not found, as for any unknown name.
                        continue;
                    };
                    let ident = self.mart(mart, depth).await?;
                    replacements.push((name.at.clone(), ident));
                } else if name.table_place
                    && let Some(dotted) = storage_table_named(&name)
                    && let Some(ident) = self.storage_table(&dotted).await?
                {
                    replacements.push((name.at.clone(), ident));
                }
            }
            Ok(rewrite(&sql, &replacements))
        })
    }

    /// The name the query reads `mart` by, its tables and views added.
    fn mart(&mut self, mart: DataMart, depth: usize) -> Resolving<'_> {
        Box::pin(async move {
            let id = &mart.meta.id;
            let name = objects::table_name(id);
            if self.done.contains(&name) {
                return Ok(name);
            }
            if self.open.contains(&name) {
                return Err(ServiceError::Conflict(format!(
                    "the views of data marts {} read each other; a view cannot read itself",
                    self.open.join(", ")
                )));
            }
            // The mart's actualized schema: what is known of its table(s).
            let known = objects::table_ref(&mart).columns;
            match &mart.definition {
                // Its own table: what its runs wrote (a mart whose definition
                // was taken away keeps its table until it is deleted).
                None | Some(Definition::Connector(_) | Definition::Sql { .. }) => {
                    let location = objects::table(&self.project, id);
                    if !self.has_parquet(&location).await? {
                        return Err(ServiceError::Conflict(match mart.definition {
                            None => format!("data mart {id} has no definition yet"),
                            Some(_) => format!("data mart {id} has no data yet; run it first"),
                        }));
                    }
                    self.table(&name, location, known);
                }
                Some(Definition::Table { table }) => {
                    let location = storage_table_location(&self.project, table);
                    if !self.has_parquet(&location).await? {
                        return Err(ServiceError::Conflict(format!(
                            "table `{table}` of data mart {id} is not in the storage: no Parquet files in the landing folder `{}`",
                            table.replace('.', "/")
                        )));
                    }
                    self.table(&name, location, known);
                }
                Some(Definition::TablePattern { pattern }) => {
                    let shards = self.matching(pattern).await?;
                    if shards.is_empty() {
                        return Err(ServiceError::Conflict(format!(
                            "no table of the storage matches `{pattern}` (data mart {id})"
                        )));
                    }
                    let mut union = vec![];
                    for (i, location) in shards.into_iter().enumerate() {
                        let shard = format!("{name}__{i}");
                        self.table(&shard, location, known.clone());
                        union.push(format!("SELECT * FROM {shard}"));
                    }
                    self.ctes.push((name.clone(), union.join("\nUNION ALL\n")));
                }
                Some(Definition::View { query }) => {
                    if depth >= MAX_VIEW_DEPTH {
                        return Err(ServiceError::Conflict(format!(
                            "data mart {id} is a view read through more than {MAX_VIEW_DEPTH} views"
                        )));
                    }
                    self.open.push(name.clone());
                    let body = self.sql(query.clone(), depth + 1).await;
                    self.open.pop();
                    self.ctes.push((name.clone(), body?));
                }
            }
            self.done.insert(name.clone());
            Ok(name)
        })
    }

    /// Adds a table; `columns` are what is known of it (Athena declares its
    /// tables with them).
    fn table(&mut self, name: &str, location: String, columns: Vec<ColumnInfo>) {
        self.tables.push(TableRef {
            name: name.to_string(),
            location,
            columns,
            storage: self.storage.clone(),
        });
    }

    /// The identifier of storage table `dotted`, when its folder holds Parquet.
    async fn storage_table(&mut self, dotted: &str) -> ServiceResult<Option<String>> {
        let ident = storage_table_ident(dotted);
        if self.done.contains(&ident) {
            return Ok(Some(ident));
        }
        let location = storage_table_location(&self.project, dotted);
        if !self.has_parquet(&location).await? {
            return Ok(None);
        }
        self.table(&ident, location, vec![]);
        self.done.insert(ident.clone());
        Ok(Some(ident))
    }

    /// The folders of the tables `pattern` matches, in name order.
    async fn matching(&self, pattern: &str) -> ServiceResult<Vec<String>> {
        let (folder, prefix) = pattern_parts(pattern);
        let base = format!("{}{folder}", landing_prefix(&self.project));
        let listed = self.objects.list(&format!("{base}{prefix}")).await?;
        let mut shards: Vec<String> = listed
            .iter()
            .filter(|o| o.key.ends_with(".parquet"))
            .filter_map(|o| o.key.strip_prefix(&base)?.split_once('/').map(|(t, _)| t))
            .filter(|t| sluice_domain::entities::is_identifier(t) && t.starts_with(&prefix))
            .map(|t| format!("{base}{t}/"))
            .collect();
        shards.sort();
        shards.dedup();
        if shards.len() > MAX_PATTERN_TABLES {
            return Err(ServiceError::Conflict(format!(
                "`{pattern}` matches {} tables; at most {MAX_PATTERN_TABLES} are read as one",
                shards.len()
            )));
        }
        Ok(shards)
    }

    async fn has_parquet(&self, location: &str) -> ServiceResult<bool> {
        Ok(self
            .objects
            .list(location)
            .await?
            .iter()
            .any(|o| o.key.ends_with(".parquet")))
    }
}
