pub async fn create() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotImplemented().finish()
}
pub async fn list() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotImplemented().finish()
}
pub async fn get() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotImplemented().finish()
}
pub async fn requirements() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotImplemented().finish()
}
pub async fn roster() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotImplemented().finish()
}
