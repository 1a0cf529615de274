//! A function's cold start as Lambda runs it (`sluice_lambda::aws_deps`): the
//! credentials, region and endpoint from its variables, the compiled-in roots,
//! the token key from Secrets Manager and the parts its `main` names, against
//! moto. A missing variable or secret is an init error naming it.

use sluice_app::routes::Part;
use sluice_domain::{Id, Kind};
use sluice_lambda::{InitError, Vars, aws_deps, parts};
use sluice_tests::moto::Moto;

const KEY: &str = "a-token-signing-key-of-at-least-32-bytes";

fn vars(moto: &Moto, extra: &[(&str, &str)]) -> Vars {
    let mut all: Vec<(String, String)> = [
        ("AWS_LAMBDA_FUNCTION_NAME", "api-start-run"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_SESSION_TOKEN", "session"),
        ("AWS_REGION", "us-east-1"),
        ("SLUICE_TABLE", "init-table"),
        ("SLUICE_TOKEN_KEY_SECRET", "init/key"),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    all.push(("AWS_ENDPOINT_URL".into(), moto.endpoint()));
    Vars::from_pairs(all)
}

fn message(r: Result<sluice_app::Deps, InitError>) -> String {
    match r {
        Ok(_) => panic!("the function started"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn a_function_starts_from_its_variables_and_what_it_lacks_is_an_init_error_naming_it() {
    let moto = Moto::start().expect("moto_server starts");
    let sdk = moto.sdk_config().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    sluice_aws::create_table(&dynamo, "init-table")
        .await
        .expect("table");
    sluice_aws::create_bucket(&aws_sdk_s3::Client::new(&sdk), "init-bucket")
        .await
        .expect("bucket");

    // No signing key yet: the init error names the secret, and says nothing else.
    let m = message(aws_deps(&vars(&moto, &[]), &[]).await);
    assert!(
        m.contains("init/key") && m.contains("does not exist"),
        "{m}"
    );
    aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name("init/key")
        .secret_string(KEY)
        .send()
        .await
        .expect("secret");

    // A variable of the function or of a part it names is missing.
    let m = message(
        aws_deps(
            &Vars::from_pairs([("AWS_LAMBDA_FUNCTION_NAME", "api-get-project")]),
            &[],
        )
        .await,
    );
    assert_eq!(m, "set the environment variable SLUICE_TABLE");
    let m = message(aws_deps(&vars(&moto, &[]), &[parts::queue, parts::bus]).await);
    assert_eq!(m, "set the environment variable SLUICE_QUEUE_URL_PREFIX");
    let m = message(
        aws_deps(
            &vars(
                &moto,
                &[
                    ("SLUICE_BUCKET", "init-bucket"),
                    ("SLUICE_ATHENA_DATABASE", "sluice"),
                ],
            ),
            &[parts::objects, parts::warehouse],
        )
        .await,
    );
    assert_eq!(m, "set the environment variable SLUICE_ATHENA_OUTPUT");

    // Everything given: each named part is there, the store and the bucket answer
    // through the Lambda configuration, and a token signed with the secret's key
    // verifies.
    let all = vars(
        &moto,
        &[
            ("SLUICE_BUCKET", "init-bucket"),
            (
                "SLUICE_QUEUE_URL_PREFIX",
                "http://127.0.0.1:1/123456789012/init-",
            ),
            ("SLUICE_EVENT_BUS", "init-bus"),
            ("SLUICE_ATHENA_DATABASE", "sluice"),
            ("SLUICE_ATHENA_OUTPUT", "s3://init-bucket/athena-results/"),
        ],
    );
    let deps = aws_deps(
        &all,
        &[parts::queue, parts::bus, parts::objects, parts::warehouse],
    )
    .await
    .expect("the function starts");
    deps.check(&[Part::Queue, Part::Objects, Part::Warehouse])
        .expect("every part it named");
    // Each route's handler is bound to the parts it takes when the function
    // starts: one the function lacks stops it there, named, never a request.
    let core = aws_deps(&all, &[]).await.expect("the function starts");
    let refused = sluice_app::api::Api::one(core, &sluice_app::routes::START_RUN)
        .err()
        .expect("a route without its queue is refused");
    assert_eq!(refused.0, "api-start-run");
    assert_eq!(
        refused.1.to_string(),
        "no stage queues are configured (SLUICE_QUEUE_URL_PREFIX)"
    );
    assert!(
        sluice_app::api::Api::one(deps.clone(), &sluice_app::routes::START_RUN).is_ok(),
        "bound to the parts its main named"
    );
    assert!(deps.bus.is_some());
    let project = Id::generate(Kind::Project, 1);
    let mart = Id::generate(Kind::DataMart, 1);
    assert!(
        deps.store
            .get(&project, Kind::DataMart, &mart)
            .await
            .expect("the table answers")
            .is_none()
    );
    let objects = deps.objects.as_ref().expect("objects");
    objects
        .put("probe/a.txt", b"a".to_vec())
        .await
        .expect("the bucket takes an object");
    assert_eq!(objects.list("probe/").await.expect("list").len(), 1);
    // The template's generated secret (a string) is one key, the same one
    // `sluice token --key-file` signs with.
    let principal =
        sluice_app::auth::Principal::operator("init", project, sluice_domain::Role::Viewer);
    let token = sluice_app::auth::TokenKeys::from_secret_value(KEY)
        .expect("key")
        .sign(&principal, 1_000, 60)
        .expect("signed");
    assert_eq!(
        deps.auth
            .verify(&token, 1_010)
            .await
            .expect("verifies")
            .subject,
        "init"
    );

    // A route's function names no part it lacks: those it did not name are absent.
    let bare = aws_deps(&all, &[]).await.expect("starts");
    assert!(bare.queue.is_none() && bare.objects.is_none() && bare.warehouse.is_none());

    // Each part requires exactly the variables its entry in `parts::ALL` lists
    // (what stages attach by, and what the template checks give): without any
    // one of them it stops, naming it; with them all it attaches.
    let value = |v: &str| match v {
        "SLUICE_ATHENA_OUTPUT" => "s3://init-bucket/athena-results/".to_string(),
        _ => "init".to_string(),
    };
    for part in &parts::ALL {
        for missing in part.variables {
            let given = Vars::from_pairs(
                part.variables
                    .iter()
                    .filter(|v| *v != missing)
                    .map(|v| (*v, value(v))),
            );
            match (part.attach)(&mut bare.clone(), &sdk, &given) {
                Err(InitError::Missing(named)) => assert_eq!(named, *missing, "{}", part.name),
                other => panic!("{} without {missing}: {:?}", part.name, other.err()),
            }
        }
        let given = Vars::from_pairs(part.variables.iter().map(|v| (*v, value(v))));
        (part.attach)(&mut bare.clone(), &sdk, &given)
            .unwrap_or_else(|e| panic!("{} attaches: {e}", part.name));
    }
}
